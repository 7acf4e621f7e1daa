export { tinyDocx, tinyPdf } from '../../helpers/documents.js';

/** A `multipart/form-data` body with one file field, as `curl -F "name=@file"` sends it. */
export function multipartBody(
  field: string,
  filename: string,
  type: string,
  data: Buffer,
  boundary = '------------------------cg1234567890abcdef',
): { body: Buffer; contentType: string } {
  const head = `--${boundary}\r\nContent-Disposition: form-data; name="${field}"; filename="${filename}"\r\nContent-Type: ${type}\r\n\r\n`;
  return { body: Buffer.concat([Buffer.from(head), data, Buffer.from(`\r\n--${boundary}--\r\n`)]), contentType: `multipart/form-data; boundary=${boundary}` };
}
