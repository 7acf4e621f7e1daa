/**
 * A small `multipart/form-data` reader (RFC 7578 over RFC 2046) for the knowledge upload, which
 * arrives as raw bytes. It works on Buffers with indexOf, never on strings, so binary files (PDF,
 * DOCX) come out byte-exact. No dependency in the tree does this safely: `parse-multipart-data`
 * (pulled in by prism-http) throws on a file part without Content-Type and assumes the order of the
 * Content-Disposition parameters. A maintained parser such as busboy would replace this file.
 */

export interface FormPart {
  name: string;
  /** null for a plain field; the client's file name (path stripped) for a file. */
  filename: string | null;
  contentType: string | null;
  data: Buffer;
}

const CRLF = Buffer.from('\r\n');
const MAX_PARTS = 100;

/** The boundary of a `multipart/form-data` Content-Type, or undefined if it has none or another type. */
export function boundaryOf(contentType: string | undefined): string | undefined {
  if (!contentType) return undefined;
  const [type, ...rest] = contentType.split(';');
  if (type.trim().toLowerCase() !== 'multipart/form-data') return undefined;
  const params = parseParams(';' + rest.join(';'));
  const b = params.boundary;
  // RFC 2046: 1 to 70 characters, and it may not end with a space.
  return b && b.length <= 70 && !b.endsWith(' ') ? b : undefined;
}

/**
 * A quoted value as clients really send it: HTML5 forms and curl percent-encode `"`, CR and LF;
 * older clients backslash-escape `"`. Other backslashes are literal (a Windows path stays a path).
 */
const unquote = (v: string): string =>
  v.replace(/\\(["\\])/g, '$1').replace(/%22/g, '"').replace(/%0D/gi, '\r').replace(/%0A/gi, '\n');

/** `; a=b; c="d \"e\""` → `{a: 'b', c: 'd "e"'}`, parameter names lower-cased. */
function parseParams(s: string): Record<string, string> {
  const out: Record<string, string> = {};
  const re = /;\s*([^=;\s]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;]*)/g;
  for (let m = re.exec(s); m; m = re.exec(s)) {
    const raw = m[2].trim();
    out[m[1].toLowerCase()] = raw.startsWith('"') ? unquote(raw.slice(1, -1)) : raw;
  }
  return out;
}

/** RFC 5987 `filename*=utf-8''na%C3%AFve.pdf`. */
function extValue(v: string): string | undefined {
  const m = /^([\w-]+)'[\w-]*'(.*)$/.exec(v);
  if (!m) return undefined;
  try {
    return m[1].toLowerCase() === 'utf-8' ? decodeURIComponent(m[2]) : unescape(m[2]);
  } catch {
    return undefined;
  }
}

/** Browsers may send a whole client path (`C:\docs\menu.pdf`); only the last segment is the name. */
const baseName = (name: string): string => name.split(/[\\/]/).pop() ?? name;

function parseHeaders(block: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of block.split('\r\n')) {
    const i = line.indexOf(':');
    if (i > 0) out[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  return out;
}

/**
 * The next real delimiter from `from`: `CRLF--boundary` followed by `--` or by optional padding and
 * CRLF. A look-alike inside binary content (senders should avoid it, not all do) is content.
 */
function delimiterAt(body: Buffer, next: Buffer, from: number): number {
  for (let i = body.indexOf(next, from); i >= 0; i = body.indexOf(next, i + 1)) {
    let p = i + next.length;
    if (body[p] === 0x2d && body[p + 1] === 0x2d) return i;
    while (body[p] === 0x20 || body[p] === 0x09) p++;
    if (body[p] === 0x0d && body[p + 1] === 0x0a) return i;
  }
  return -1;
}

/** The parts of a multipart body, or undefined if the body is not well-formed for this boundary. */
export function parseMultipart(body: Buffer, boundary: string): FormPart[] | undefined {
  const delimiter = Buffer.from(`--${boundary}`);
  const next = Buffer.from(`\r\n--${boundary}`);
  // The first delimiter opens the body or follows a preamble line.
  let pos = body.subarray(0, delimiter.length).equals(delimiter) ? 0 : body.indexOf(next);
  if (pos < 0) return undefined;
  if (pos > 0 || !body.subarray(0, delimiter.length).equals(delimiter)) pos += 2;
  const parts: FormPart[] = [];
  for (;;) {
    let p = pos + delimiter.length;
    if (body[p] === 0x2d && body[p + 1] === 0x2d) return parts; // closing delimiter `--boundary--`
    while (body[p] === 0x20 || body[p] === 0x09) p++; // transport padding
    if (!body.subarray(p, p + 2).equals(CRLF)) return undefined;
    p += 2;
    let dataStart: number;
    let headers: Record<string, string> = {};
    if (body.subarray(p, p + 2).equals(CRLF)) dataStart = p + 2;
    else {
      const end = body.indexOf('\r\n\r\n', p);
      if (end < 0) return undefined;
      headers = parseHeaders(body.subarray(p, end).toString('utf8'));
      dataStart = end + 4;
    }
    const dataEnd = delimiterAt(body, next, dataStart);
    if (dataEnd < 0) return undefined;
    const disposition = headers['content-disposition'] ?? '';
    const [kind, ...rest] = disposition.split(';');
    if (kind.trim().toLowerCase() === 'form-data') {
      const params = parseParams(';' + rest.join(';'));
      const ext = params['filename*'] ? extValue(params['filename*']) : undefined;
      const filename = ext ?? params.filename;
      if (params.name !== undefined) {
        parts.push({ name: params.name, filename: filename === undefined ? null : baseName(filename), contentType: headers['content-type'] ?? null, data: body.subarray(dataStart, dataEnd) });
      }
    }
    if (parts.length > MAX_PARTS) return undefined;
    pos = dataEnd + 2;
  }
}
