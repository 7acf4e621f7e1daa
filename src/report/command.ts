import { type Command, Option } from 'commander';

/** `callsim report --from URL`: the report of a running server, printed or written as JSON, JUnit XML or Markdown. */
export function reportCommand(program: Command): void {
  program
    .command('report')
    .description('the contract report of a running callsim (coverage and every violation) as JSON, JUnit XML or Markdown')
    .requiredOption('--from <url>', 'the running server, e.g. http://127.0.0.1:4010')
    .addOption(new Option('--format <format>', "json, junit or md (default: from --out's extension, else json)").choices(['json', 'junit', 'md']))
    .option('--out <file>', 'write it here (atomically) instead of printing it')
    .addOption(
      new Option('--fail-on <when>', "exit 1 on: violations, warnings or never (default: the server's --fail-on)").choices(['violations', 'warnings', 'never']),
    )
    .addOption(new Option('--admin-token <token>', "the server's --admin-token").env('CALLSIM_ADMIN_TOKEN'))
    .action(
      async (flags: { from: string; format?: 'json' | 'junit' | 'md'; out?: string; failOn?: 'violations' | 'warnings' | 'never'; adminToken?: string }) => {
        const { fetchReport } = await import('./remote.js');
        process.exitCode = await fetchReport(flags);
      },
    );
}
