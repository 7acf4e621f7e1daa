import { type Command, Option } from 'commander';

/** `callsim verify <vendor> <base-url> --key KEY`: has the live API drifted from callsim's spec? */
export function verifyCommand(program: Command): void {
  program
    .command('verify')
    .description("send spec-derived requests to a live (or sandbox) API and report every answer that does not match callsim's spec")
    .argument('<vendor>', 'calleague, callgenius, callingbox or jagcall')
    .argument('<base-url>', "the API's base URL, e.g. https://jagcall.com")
    .addOption(new Option('--key <key>', 'API key, sent as Authorization: Bearer <key>').env('CALLSIM_VERIFY_KEY').makeOptionMandatory())
    .option('--allow-writes', 'also send creates (POST, with the documented example bodies): for a sandbox account only')
    .addOption(new Option('--format <format>', 'what to print: md (default), json or junit').choices(['json', 'junit', 'md']).default('md'))
    .option('--report <file>', 'also write the report here: .json, .xml (JUnit) or .md; repeatable', (v: string, prev: string[] = []) => [...prev, v])
    .option('--timeout <ms>', 'per request (default 10000)', (v: string) => Number(v))
    .option('--quiet', 'no progress lines on stderr')
    .action(
      async (
        vendor: string,
        base: string,
        flags: { key: string; allowWrites?: boolean; format: 'json' | 'junit' | 'md'; report?: string[]; timeout?: number; quiet?: boolean },
      ) => {
        const { runVerify } = await import('./cli-run.js');
        process.exitCode = await runVerify(vendor, base, flags);
      },
    );
}
