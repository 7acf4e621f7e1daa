/**
 * Multipart operations (CallGeni.us `uploadKnowledge`) are left out of the JSON generators; they
 * get hand-built bodies here: a tiny PDF and DOCX (201), a .txt, no file, a file sent as a plain
 * field (422), broken boundaries and truncated bodies (400), other media types (415), a body over
 * the limit (413), hostile file names. Never a 5xx; errors in the vendor's envelope; the spec holds.
 */
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { storedZip, tinyDocx, tinyPdf } from '../helpers/documents.js';
import type { ApiResult } from '../helpers/sim.js';
import { documented, isVendorError, schemaAt } from './gen.js';
import { startRobustnessSim } from './server.js';

const sim = await startRobustnessSim();
afterAll(() => sim.shutdown());

const MULTIPART = 'multipart/form-data';
const targets = sim.running.sim.vendors.flatMap((runtime) =>
  runtime.spec.operations
    .filter((op) => op.body?.contentTypes.includes(MULTIPART))
    .map((op) => ({ vendor: runtime.adapter.name, id: op.operationId, runtime, op })),
);

const TINY_PDF = tinyPdf();
const TINY_DOCX = tinyDocx();

interface Part {
  name: string;
  filename?: string;
  /** Raw Content-Disposition parameters after `form-data; name="…"`, when a test wants odd ones. */
  disposition?: string;
  contentType?: string;
  data: Buffer | string;
}

function multipart(boundary: string, parts: Part[], opts: { close?: boolean } = {}): Buffer {
  const chunks: Buffer[] = [];
  for (const p of parts) {
    const disp = p.disposition ?? `form-data; name="${p.name}"${p.filename !== undefined ? `; filename="${p.filename}"` : ''}`;
    const head = `--${boundary}\r\nContent-Disposition: ${disp}\r\n${p.contentType ? `Content-Type: ${p.contentType}\r\n` : ''}\r\n`;
    chunks.push(Buffer.from(head), Buffer.isBuffer(p.data) ? p.data : Buffer.from(p.data), Buffer.from('\r\n'));
  }
  if (opts.close !== false) chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(chunks);
}

describe.each(targets)('$vendor $id multipart bodies', ({ vendor, runtime, op }) => {
  const schema = schemaAt(runtime.spec.doc, op.body!.pointers[MULTIPART]);
  /** The binary property (contentMediaType or format: binary), and the plain ones. */
  const fileField =
    Object.entries<any>(schema?.properties ?? {}).find(([, s]) => s?.contentMediaType || s?.format === 'binary' || s?.contentEncoding)?.[0] ?? 'file';
  const path = op.template;
  const B = 'callsimBoundary7MA4YWxkTrZu0gW';

  const post = (body: Buffer | string, contentType = `${MULTIPART}; boundary=${B}`): Promise<ApiResult> =>
    sim.api(vendor, op.method, path, { raw: body, headers: contentType ? { 'content-type': contentType } : {} });

  function expectHandled(res: ApiResult, what: string, want?: number | number[]): void {
    expect(res.status, `${what} → ${res.status} ${res.text.slice(0, 300)}`).toBeLessThan(500);
    expect(documented(op, res.status), `${what} → ${res.status} is not documented for ${op.operationId}`).toBe(true);
    if (res.status >= 400) expect(isVendorError(runtime, res.body), `${what} → not the vendor's error envelope: ${res.text.slice(0, 300)}`).toBe(true);
    if (want !== undefined) expect([want].flat(), `${what} → ${res.status} ${res.text.slice(0, 300)}`).toContain(res.status);
  }

  beforeEach(() => sim.reset());

  it('accepts a tiny PDF and a tiny DOCX, named as the client named them', async () => {
    const pdf = await post(multipart(B, [{ name: fileField, filename: 'menu.pdf', contentType: 'application/pdf', data: TINY_PDF }]));
    expectHandled(pdf, 'tiny PDF', 201);
    expect(pdf.text).toContain('menu.pdf');
    const docx = await post(
      multipart(B, [
        { name: fileField, filename: 'notes.docx', contentType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', data: TINY_DOCX },
      ]),
    );
    expectHandled(docx, 'tiny DOCX', 201);
    // Judged by content, not by name or declared type.
    const renamed = await post(multipart(B, [{ name: fileField, filename: 'upload.bin', contentType: 'application/octet-stream', data: TINY_PDF }]));
    expectHandled(renamed, 'PDF named .bin', 201);
  });

  it('refuses a .txt, a PDF name on text, no file, and a file sent as a plain field with 422 on the file', async () => {
    for (const [what, parts] of [
      ['.txt', [{ name: fileField, filename: 'notes.txt', contentType: 'text/plain', data: 'just text' }]],
      ['text named .pdf', [{ name: fileField, filename: 'fake.pdf', contentType: 'application/pdf', data: 'not a pdf at all' }]],
      ['empty file', [{ name: fileField, filename: 'empty.pdf', contentType: 'application/pdf', data: '' }]],
      ['zip without word/', [{ name: fileField, filename: 'a.docx', data: storedZip({ 'x.txt': 'hello' }) }]],
      ['no file part', [{ name: 'other', data: 'value' }]],
      ['file as a plain field', [{ name: fileField, data: TINY_PDF }]],
    ] as Array<[string, Part[]]>) {
      const res = await post(multipart(B, parts));
      expectHandled(res, what, 422);
      expect(res.text, what).toContain(fileField);
    }
  });

  it('answers unreadable multipart (wrong, missing or oversized boundary, truncated body) with 400', async () => {
    const good = multipart(B, [{ name: fileField, filename: 'menu.pdf', data: TINY_PDF }]);
    for (const [what, body, ct] of [
      ['boundary not in the body', good, `${MULTIPART}; boundary=somethingElse`],
      ['no boundary parameter', good, MULTIPART],
      ['empty boundary', good, `${MULTIPART}; boundary=`],
      [
        '71-character boundary',
        multipart('b'.repeat(71), [{ name: fileField, filename: 'a.pdf', data: TINY_PDF }]),
        `${MULTIPART}; boundary=${'b'.repeat(71)}`,
      ],
      ['no closing delimiter', multipart(B, [{ name: fileField, filename: 'a.pdf', data: TINY_PDF }], { close: false }), undefined],
      ['truncated headers', Buffer.from(`--${B}\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"`), undefined],
      ['garbage', Buffer.from('%%%% not multipart %%%%'), undefined],
    ] as Array<[string, Buffer, string | undefined]>) {
      const res = await post(body, ct);
      expectHandled(res, what, 400);
    }
  });

  it('refuses other media types with 415, an empty body as missing, and a body over 1 MB with 413', async () => {
    const body = multipart(B, [{ name: fileField, filename: 'menu.pdf', data: TINY_PDF }]);
    for (const ct of ['application/json', 'application/x-www-form-urlencoded', 'text/plain', `multipart/mixed; boundary=${B}`]) {
      const res = await post(ct === 'application/json' ? JSON.stringify({ [fileField]: TINY_PDF.toString('latin1') }) : body, ct);
      expectHandled(res, ct, 415);
    }
    expectHandled(await post(body, ''), 'no content type', 415);
    expectHandled(await post(Buffer.alloc(0)), 'empty body', [400, 422]);
    const big = Buffer.concat([TINY_PDF, Buffer.alloc(1024 * 1024, 0x20)]);
    expectHandled(await post(multipart(B, [{ name: fileField, filename: 'big.pdf', data: big }])), 'over 1 MB', 413);
  });

  it('survives hostile file names and part headers, and odd but valid framing', async () => {
    const cases: Array<[string, Part[], string?]> = [
      ['traversal name', [{ name: fileField, filename: '../../../etc/passwd.pdf', data: TINY_PDF }]],
      ['Windows path', [{ name: fileField, filename: 'C:\\Users\\a\\menu.pdf', data: TINY_PDF }]],
      [
        'unicode name',
        [{ name: fileField, disposition: `form-data; name="${fileField}"; filename*=utf-8''%D0%BC%D0%B5%D0%BD%D1%8E%20%F0%9F%8E%89.pdf`, data: TINY_PDF }],
      ],
      ['NUL in name', [{ name: fileField, filename: 'a\u0000b.pdf', data: TINY_PDF }]],
      ['300-character name', [{ name: fileField, filename: `${'n'.repeat(300)}.pdf`, data: TINY_PDF }]],
      ['empty name', [{ name: fileField, filename: '', data: TINY_PDF }]],
      ['quoted boundary', [{ name: fileField, filename: 'q.pdf', data: TINY_PDF }], `${MULTIPART}; boundary="${B}"`],
      [
        'two files',
        [
          { name: fileField, filename: 'a.pdf', data: TINY_PDF },
          { name: fileField, filename: 'b.pdf', data: TINY_PDF },
        ],
      ],
      [
        'extra plain fields',
        [
          { name: 'agent_ids[]', data: '42' },
          { name: '__proto__', data: 'x' },
          { name: fileField, filename: 'a.pdf', data: TINY_PDF },
        ],
      ],
      ['200 parts', Array.from({ length: 200 }, (_, i) => ({ name: `f${i}`, data: 'x' }))],
      ['boundary look-alike inside the file', [{ name: fileField, filename: 'a.pdf', data: Buffer.concat([TINY_PDF, Buffer.from(`\r\n--${B}x`)]) }]],
    ];
    for (const [what, parts, ct] of cases) {
      const res = await post(multipart(B, parts), ct);
      expectHandled(res, what);
      if (res.status === 201) {
        const name = [...JSON.stringify(res.body).matchAll(/"filename":"((?:[^"\\]|\\.)*)"/g)].map((m) => JSON.parse(`"${m[1]}"`) as string)[0];
        if (name !== undefined) expect(name, `${what}: a stored name keeps no directories`).not.toMatch(/[\\/]/);
      }
    }
  });
});

it('covers every multipart operation of the loaded vendors', () => {
  const all = sim.running.sim.vendors.flatMap((r) => r.spec.operations.filter((op) => op.body?.contentTypes.includes(MULTIPART)));
  expect(targets.length).toBe(all.length);
});
