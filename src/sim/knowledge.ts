import { invalid } from './errors.js';
import type { KnowledgeDoc } from './types.js';
import type { World } from './world.js';

const PDF = 'application/pdf';
export const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';

/** Judges a file by its bytes, not its name: PDFs start `%PDF-`, DOCX is a zip holding word/document.xml. */
function sniffDocument(bytes: Uint8Array): string | undefined {
  const head = Buffer.from(bytes.subarray(0, 8)).toString('latin1');
  if (head.startsWith('%PDF-')) return PDF;
  if (head.startsWith('PK\u0003\u0004') && Buffer.from(bytes).includes('word/')) return DOCX;
  return undefined;
}

export function uploadDocument(world: World, accountId: string, file: { filename: string; bytes: Uint8Array }): KnowledgeDoc {
  const mimeType = sniffDocument(file.bytes);
  if (!mimeType) throw invalid('file', 'mimes', 'The file field must be a file of type: pdf, docx.');
  const doc: KnowledgeDoc = {
    id: world.nextId(accountId, 'knowledge'),
    accountId,
    filename: file.filename.slice(0, 255),
    mimeType,
    sizeBytes: file.bytes.length,
    status: 'processing',
    agentIds: [],
    createdAt: world.now(),
  };
  world.store(accountId).knowledge.set(doc.id, doc);
  world.scheduler.after(
    world.timings.knowledgeMs,
    () => {
      doc.status = 'ready';
    },
    `knowledge ${doc.id}`,
  );
  return doc;
}

export function listDocuments(world: World, accountId: string): KnowledgeDoc[] {
  return [...world.store(accountId).knowledge.values()].sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));
}
