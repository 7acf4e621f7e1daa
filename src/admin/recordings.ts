import { Router } from 'express';
import type { Callsim } from '../app.js';
import { renderRecording } from '../media/recording.js';
import { adminError } from './basics.js';

/** Signed recording links: the signature is the credential, so no admin gate here. */
export function recordingsRouter(sim: Callsim): Router {
  const r = Router();
  r.get('/:vendor/:file', (req, res) => {
    const m = /^(.+)\.wav$/.exec(req.params.file);
    const verdict = sim.checkRecordingSignature(req.baseUrl + req.path, req.query.expires as string | undefined, req.query.sig as string | undefined);
    if (verdict === 'forbidden') return adminError(res, 403, 'invalid_signature', 'This recording link is not valid (bad or missing signature)');
    if (verdict === 'expired') return adminError(res, 410, 'expired', 'This recording link has expired; ask the API for a new one');
    const call = m ? sim.world.findCall(m[1]) : undefined;
    if (!call || sim.world.account(call.accountId).namespace !== req.params.vendor || !call.recordingReady) {
      return adminError(res, 404, 'not_found', 'No recording here');
    }
    const wav = renderRecording(sim.world, call);
    res.setHeader('content-type', 'audio/wav');
    res.setHeader('content-disposition', `inline; filename="${call.id}.wav"`);
    res.setHeader('cache-control', 'private, max-age=60');
    res.end(wav);
  });
  return r;
}
