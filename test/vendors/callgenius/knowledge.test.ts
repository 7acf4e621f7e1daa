import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { boundaryOf, parseMultipart } from '../../../src/vendors/callgenius/multipart.js';
import { DOCX } from '../../../src/sim/knowledge.js';
import { startTestSim, type TestSim } from '../../helpers/sim.js';
import { multipartBody, tinyDocx, tinyPdf } from './helpers.js';

let sim: TestSim;
beforeAll(async () => {
  sim = await startTestSim({ rateLimits: { callgenius: false } });
});
afterAll(() => sim.stop());
beforeEach(() => sim.reset());
const upload = (body: Buffer | string, contentType: string) => sim.api('callgenius', 'POST', '/api/knowledge', { raw: body, headers: { 'content-type': contentType } });

describe('CallGeni.us knowledge uploads', () => {
  it('accepts a real DOCX, judged by its content', async () => {
    const { body, contentType } = multipartBody('file', 'hours.docx', 'application/octet-stream', tinyDocx());
    const r = await upload(body, contentType);
    expect(r.status).toBe(201);
    expect(r.body).toEqual(expect.objectContaining({ filename: 'hours.docx', mime_type: DOCX, status: 'processing' }));
    await sim.advance(4_000);
    expect((await sim.api('callgenius', 'GET', '/api/knowledge')).body.find((d: any) => d.id === r.body.id).status).toBe('processing');
    await sim.advance(1_000);
    expect((await sim.api('callgenius', 'GET', '/api/knowledge')).body.find((d: any) => d.id === r.body.id).status).toBe('ready');
  });

  it('rejects a text file renamed .pdf with 422 on file', async () => {
    const { body, contentType } = multipartBody('file', 'menu.pdf', 'application/pdf', Buffer.from('Soup of the day: tomato\n'));
    const r = await upload(body, contentType);
    expect(r.status).toBe(422);
    expect(r.body).toEqual({ message: 'The file field must be a file of type: pdf, docx.', errors: { file: ['The file field must be a file of type: pdf, docx.'] } });
    expect((await sim.api('callgenius', 'GET', '/api/knowledge')).body.map((d: any) => d.id)).toEqual([3]);
  });

  it('needs a file part: none, or a plain field, is a 422 on file', async () => {
    const boundary = 'xyz';
    const field = (name: string) => Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\nhello\r\n--${boundary}--\r\n`);
    const none = await upload(field('note'), `multipart/form-data; boundary=${boundary}`);
    expect(none.status).toBe(422);
    expect(none.body.errors).toEqual({ file: ['The file field is required.'] });
    const plain = await upload(field('file'), `multipart/form-data; boundary=${boundary}`);
    expect(plain.body.errors).toEqual({ file: ['The file field must be a file.'] });
  });

  it('a broken multipart body → 400; another content type → 415; too large → 413', async () => {
    const { body } = multipartBody('file', 'menu.pdf', 'application/pdf', tinyPdf());
    const wrong = await upload(body, 'multipart/form-data; boundary=not-the-one');
    expect(wrong.status).toBe(400);
    expect(wrong.body).toEqual({ message: 'The request body is not valid multipart/form-data.' });
    const json = await sim.api('callgenius', 'POST', '/api/knowledge', { body: { file: 'x' } });
    expect(json.status).toBe(415);
    expect(json.body).toEqual({ message: expect.any(String) });
    const big = multipartBody('file', 'big.pdf', 'application/pdf', Buffer.concat([tinyPdf(), Buffer.alloc(1_100_000, 0x20)]));
    const large = await upload(big.body, big.contentType);
    expect(large.status).toBe(413);
    expect(large.body).toEqual({ message: expect.any(String) });
  });
});

describe('multipart parser', () => {
  it('reads the boundary from the content type, quoted or not', () => {
    expect(boundaryOf('multipart/form-data; boundary=abc')).toBe('abc');
    expect(boundaryOf('Multipart/Form-Data; charset=utf-8; boundary="a b;c"')).toBe('a b;c');
    expect(boundaryOf('application/json')).toBeUndefined();
    expect(boundaryOf('multipart/form-data')).toBeUndefined();
    expect(boundaryOf(`multipart/form-data; boundary=${'x'.repeat(71)}`)).toBeUndefined();
  });

  it('keeps binary data byte-exact, even with CRLF and dashes next to the boundary', () => {
    const data = Buffer.from([0x0d, 0x0a, 0x2d, 0x2d, 0x62, 0x00, 0xff, 0x0d, 0x0a, 0x2d]);
    const body = Buffer.concat([
      Buffer.from('preamble to ignore\r\n--b\r\nContent-Disposition: form-data; name="title"\r\n\r\nMenu\r\n'),
      Buffer.from('--b\r\nContent-Disposition: form-data; filename="C:\\docs\\menu.pdf"; name="file"\r\n\r\n'),
      data,
      Buffer.from('\r\n--b--\r\nepilogue'),
    ]);
    const parts = parseMultipart(body, 'b')!;
    expect(parts.map((p) => [p.name, p.filename, p.contentType])).toEqual([['title', null, null], ['file', 'menu.pdf', null]]);
    expect(parts[0].data.toString()).toBe('Menu');
    expect(parts[1].data.equals(data)).toBe(true);
  });

  it('prefers the RFC 5987 filename* and unescapes quoted names', () => {
    const body = Buffer.from('--b\r\nContent-Disposition: form-data; name="file"; filename="a\\"b.pdf"; filename*=UTF-8\'\'na%C3%AFve.pdf\r\nContent-Type: application/pdf\r\n\r\n%PDF-\r\n--b--');
    expect(parseMultipart(body, 'b')!.map((p) => [p.filename, p.contentType])).toEqual([['naïve.pdf', 'application/pdf']]);
  });

  it('refuses bodies without the boundary or without the closing delimiter', () => {
    expect(parseMultipart(Buffer.from('no boundary here'), 'b')).toBeUndefined();
    expect(parseMultipart(Buffer.from('--b\r\nContent-Disposition: form-data; name="a"\r\n\r\nunterminated'), 'b')).toBeUndefined();
    expect(parseMultipart(Buffer.from('--bogus\r\n'), 'b')).toBeUndefined();
    expect(parseMultipart(Buffer.from('--b--\r\n'), 'b')).toEqual([]);
  });
});
