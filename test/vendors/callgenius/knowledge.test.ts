import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DOCX } from '../../../src/sim/knowledge.js';
import { parseMultipart } from '../../../src/vendors/callgenius/multipart.js';
import { startTestSim, type TestSim } from '../../helpers/sim.js';
import { multipartBody, tinyDocx, tinyPdf } from './helpers.js';

let sim: TestSim;
beforeAll(async () => {
  sim = await startTestSim({ rateLimits: { callgenius: false } });
});
afterAll(() => sim.stop());
beforeEach(() => sim.reset());
const upload = (body: Buffer | string, contentType: string) =>
  sim.api('callgenius', 'POST', '/api/knowledge', { raw: body, headers: { 'content-type': contentType } });

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
    expect(r.body).toEqual({
      message: 'The file field must be a file of type: pdf, docx.',
      errors: { file: ['The file field must be a file of type: pdf, docx.'] },
    });
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

describe('multipart parser (busboy)', () => {
  const ct = (b: string) => `multipart/form-data; boundary=${b}`;

  it('reads the boundary from the content type, quoted or not; refuses none or an over-long one', async () => {
    const body = Buffer.from('--a b;c\r\nContent-Disposition: form-data; name="x"\r\n\r\n1\r\n--a b;c--\r\n');
    expect((await parseMultipart(body, 'Multipart/Form-Data; charset=utf-8; boundary="a b;c"'))?.map((p) => p.name)).toEqual(['x']);
    expect(await parseMultipart(body, 'application/json')).toBeUndefined();
    expect(await parseMultipart(body, 'multipart/form-data')).toBeUndefined();
    expect(await parseMultipart(body, ct('x'.repeat(71)))).toBeUndefined();
  });

  it('keeps binary data byte-exact, CRLF, dashes and NULs included', async () => {
    // RFC 2046: the boundary never occurs inside a part, so the data has CRLF-dashes but not "--b".
    const data = Buffer.from([0x0d, 0x0a, 0x2d, 0x2d, 0x63, 0x00, 0xff, 0x0d, 0x0a, 0x2d]);
    const body = Buffer.concat([
      Buffer.from('preamble to ignore\r\n--b\r\nContent-Disposition: form-data; name="title"\r\n\r\nMenu\r\n'),
      Buffer.from('--b\r\nContent-Disposition: form-data; filename="C:\\docs\\menu.pdf"; name="file"\r\n\r\n'),
      data,
      Buffer.from('\r\n--b--\r\nepilogue'),
    ]);
    const parts = (await parseMultipart(body, ct('b')))!;
    expect(parts.map((p) => [p.name, p.filename])).toEqual([
      ['title', null],
      ['file', 'menu.pdf'],
    ]);
    expect(parts[0].data.toString()).toBe('Menu');
    expect(parts[1].data.equals(data)).toBe(true);
  });

  it('refuses bodies without the boundary or without the closing delimiter', async () => {
    expect(await parseMultipart(Buffer.from('no boundary here'), ct('b'))).toBeUndefined();
    expect(await parseMultipart(Buffer.from('--b\r\nContent-Disposition: form-data; name="a"\r\n\r\nunterminated'), ct('b'))).toBeUndefined();
  });
});
