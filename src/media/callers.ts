import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, isAbsolute, join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { AdminSchemas } from '../admin/handlers/types.js';
import { ConfigError } from '../config.js';
import { adminContract } from '../contract/load.js';
import type { ConversationLibrary } from '../sim/conversations.js';
import { SAMPLES_PER_MS } from './codec.js';
import { type CallerDoc, type CallerScript, promptsFor } from './script-caller.js';
import { OverBudget, type Voice, VoiceError, voiceFor } from './voices.js';

const CALLER_SCHEMA = '#/components/schemas/Caller';
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;
const EXTENSIONS = new Set(['.yaml', '.yml', '.json']);

/** A caller document that cannot run: the field at fault and why (a WAV file that cannot be read). */
/**
 * Bounds on what callers hold: each line's voice is rendered and kept when the caller is stored, so
 * a document of 450 two-thousand-character lines would otherwise be 7 hours of audio (300 MB, and
 * a minute of the event loop) from one request.
 */
const MAX_CALLERS = 200;
const MAX_CALLER_AUDIO_MS = 10 * 60_000;
const MAX_LIBRARY_AUDIO_MS = 60 * 60_000;
const entryMs = (e: Entry): number => e.voices.reduce((ms, v) => ms + v.audio.length / SAMPLES_PER_MS, 0);

export class CallerError extends Error {
  constructor(
    readonly field: string,
    readonly reason: string,
  ) {
    super(`${field}: ${reason}`);
  }
}

interface Entry {
  name: string;
  source: 'file' | 'api';
  file: string | null;
  doc: CallerDoc;
  voices: Voice[];
  script: CallerScript;
}

/** Each way a document breaks the `Caller` schema, as `field: what is wrong`. */
function callerProblems(doc: unknown): string[] {
  return adminContract()
    .validator.validateAt(CALLER_SCHEMA, doc)
    .map((v) => (v.field ? `${v.field}: ${v.message.startsWith(v.field) ? v.message.slice(v.field.length + 1) : v.message}` : v.message));
}

/**
 * The simulated callers users wrote: the `--callers` folder, read and checked once at start-up (a
 * bad file stops the start, naming the file and the field), and those put through the admin API.
 * Each is compiled at once — every line's voice chosen and decoded — so a call never reads a file.
 */
export class CallerLibrary {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly lib: ConversationLibrary,
    readonly dir?: string,
  ) {
    if (dir) this.loadDir(dir);
  }

  private loadDir(dir: string): void {
    let names: string[];
    try {
      if (!statSync(dir).isDirectory()) throw new Error('not a folder');
      names = readdirSync(dir).filter((f) => EXTENSIONS.has(extname(f).toLowerCase()));
    } catch (err) {
      throw new ConfigError([`cannot read ${dir}: ${(err as Error).message}`], 'callers folder');
    }
    for (const file of names.sort()) {
      const path = join(dir, file);
      const fail = (problems: string[]): never => {
        throw new ConfigError(problems, `caller file ${path}`);
      };
      const name = file.slice(0, -extname(file).length);
      if (!NAME.test(name)) fail([`the file name must be letters, digits, '.', '_' or '-' (it names the caller)`]);
      if (this.entries.has(name)) fail([`a caller named ${name} is already loaded from another file`]);
      let doc: unknown;
      try {
        const text = readFileSync(path, 'utf8');
        doc = extname(file).toLowerCase() === '.json' ? JSON.parse(text) : parseYaml(text);
      } catch (err) {
        fail([`not valid ${extname(file).toLowerCase() === '.json' ? 'JSON' : 'YAML'}: ${(err as Error).message}`]);
      }
      const problems = callerProblems(doc);
      if (problems.length) fail(problems);
      try {
        this.put(name, doc as CallerDoc, 'file', path);
      } catch (err) {
        if (err instanceof CallerError) fail([err.message]);
        throw err;
      }
    }
  }

  /** Stores (or replaces) a caller the schema already accepted; throws CallerError for an unreadable WAV. */
  put(name: string, doc: CallerDoc, source: 'file' | 'api' = 'api', file: string | null = null): { entry: Entry; created: boolean } {
    const language = doc.language;
    const replaced = this.entries.get(name);
    if (!replaced && this.entries.size >= MAX_CALLERS)
      throw new CallerError('name', `callsim holds at most ${MAX_CALLERS} callers; DELETE /__sim/callers/{name} one first`);
    // What the others hold counts against the library's budget; the caller replaced frees its own.
    const othersMs = this.audioMs() - (replaced ? entryMs(replaced) : 0);
    let leftMs = Math.min(MAX_CALLER_AUDIO_MS, MAX_LIBRARY_AUDIO_MS - othersMs);
    const voices = doc.lines.map((l, i) => {
      try {
        const voice = voiceFor(this.lib, { text: l.text, audioFile: l.audio === undefined ? undefined : this.audioPath(l.audio) }, language, leftMs);
        leftMs -= voice.audio.length / SAMPLES_PER_MS;
        return voice;
      } catch (err) {
        const limits =
          err instanceof OverBudget
            ? ` (a caller holds at most ${MAX_CALLER_AUDIO_MS / 60_000} minutes of audio, all callers ${MAX_LIBRARY_AUDIO_MS / 60_000})`
            : '';
        if (err instanceof VoiceError) throw new CallerError(`lines.${i}.${err.field}`, err.message + limits);
        throw err;
      }
    });
    const script: CallerScript = {
      name,
      persona: doc.persona ?? null,
      language,
      silenceMs: doc.silenceMs,
      nudgeMs: doc.nudgeMs,
      lines: doc.lines.map((l, i) => ({
        text: l.text ?? '',
        audio: voices[i].audio,
        after: l.after ?? 'agent',
        keys: l.keys ?? '',
        silentMs: l.silentMs ?? 0,
        hangup: l.hangup ?? false,
        expect: l.expect ?? null,
      })),
      expect: doc.expect ?? null,
      prompts: promptsFor(this.lib, language),
    };
    const created = !this.entries.has(name);
    const entry: Entry = { name, source, file, doc: structuredClone(doc), voices, script };
    this.entries.set(name, entry);
    return { entry, created };
  }

  /** A line's WAV file: absolute, or relative to the callers folder (else the working directory). */
  private audioPath(p: string): string {
    return isAbsolute(p) ? p : resolve(this.dir ?? process.cwd(), p);
  }

  /** The audio every caller holds, in ms. */
  private audioMs(): number {
    let ms = 0;
    for (const e of this.entries.values()) ms += entryMs(e);
    return ms;
  }

  get(name: string): Entry | undefined {
    return this.entries.get(name);
  }

  script(name: string): CallerScript | undefined {
    return this.entries.get(name)?.script;
  }

  delete(name: string): boolean {
    return this.entries.delete(name);
  }

  list(): Entry[] {
    return [...this.entries.values()].sort((a, b) => (a.name < b.name ? -1 : 1));
  }
}

/** A caller as the admin API shows it. */
export function callerInfoJson(e: Entry): AdminSchemas['CallerInfo'] {
  return {
    name: e.name,
    source: e.source,
    file: e.file,
    persona: e.doc.persona ?? null,
    language: e.doc.language,
    lines: e.doc.lines.length,
    voices: e.voices.map((v, i) => ({ line: i + 1, voice: v.kind, clip: v.source, durationMs: Math.round(v.audio.length / SAMPLES_PER_MS) })),
    document: e.doc,
  };
}
