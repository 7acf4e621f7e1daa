import { createRequire } from 'node:module';
import type busboyType from 'busboy';

// Loaded on the first upload: most runs never see one, and every start would pay for it.
let busboy: typeof busboyType | undefined;

/** The knowledge upload arrives as raw bytes; busboy reads the `multipart/form-data` parts. */
export interface FormPart {
  name: string;
  /** null for a plain field; the client's file name (path stripped) for a file. */
  filename: string | null;
  contentType: string | null;
  data: Buffer;
}

const MAX_PARTS = 100;

/**
 * The parts of a complete multipart body, or undefined when it is not valid multipart/form-data
 * (no or bad boundary, truncated body, too many parts): the handler answers 400 then.
 */
export function parseMultipart(body: Buffer, contentType: string | undefined): Promise<FormPart[] | undefined> {
  return new Promise((resolve) => {
    let bb: busboyType.Busboy;
    try {
      // RFC 2046 caps a boundary at 70 characters; busboy would take longer ones.
      const boundary = /boundary="?([^";]*)"?/i.exec(contentType ?? '')?.[1];
      if (!boundary || boundary.length > 70) return resolve(undefined);
      busboy ??= createRequire(import.meta.url)('busboy') as typeof busboyType;
      bb = busboy({ headers: { 'content-type': contentType! }, limits: { parts: MAX_PARTS }, preservePath: false });
    } catch {
      return resolve(undefined);
    }
    const parts: FormPart[] = [];
    let failed = false;
    const fail = () => {
      failed = true;
      resolve(undefined);
    };
    bb.on('file', (name, stream, info) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('error', fail);
      stream.on('end', () => parts.push({ name, filename: info.filename ?? '', contentType: info.mimeType ?? null, data: Buffer.concat(chunks) }));
    });
    bb.on('field', (name, value) => parts.push({ name, filename: null, contentType: null, data: Buffer.from(value) }));
    bb.on('partsLimit', fail);
    bb.on('error', fail);
    bb.on('close', () => {
      if (!failed) resolve(parts);
    });
    try {
      bb.end(body);
    } catch {
      fail();
    }
  });
}
