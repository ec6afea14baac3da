import type { Command } from "commander";

/** Commands, their subcommands and options, read from the program itself so a new option completes without edits. */
interface Tree {
  path: string[];
  subcommands: string[];
  options: string[];
  /** Options that take a value: the word after one is its value, not a command or an argument. */
  valued: string[];
}

function walk(cmd: Command, path: string[] = []): Tree[] {
  const subs = cmd.commands.filter((c) => c.name() !== "help");
  const flags = (o: Command["options"][number]) => [o.long, o.short].filter((f): f is string => Boolean(f));
  const options = cmd.options.flatMap(flags);
  const valued = cmd.options.filter((o) => o.required || o.optional).flatMap(flags);
  return [{ path, subcommands: subs.map((c) => c.name()), options: [...options, "--help"], valued }, ...subs.flatMap((c) => walk(c, [...path, c.name()]))];
}

// Values are completed from the project as the shell sees it: stacks from Pulumi.<stack>.yaml, services from services/*/.
const STACKS_SH = `ls Pulumi.*.y*ml 2>/dev/null | sed -e 's/^Pulumi\\.//' -e 's/\\.ya\\{0,1\\}ml$//'`;
const SERVICES_SH = `ls -d services/*/ 2>/dev/null | sed -e 's|^services/||' -e 's|/$||'`;

const sq = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export function bashScript(program: Command): string {
  const tree = walk(program);
  const cases = tree.map((t) => `    ${sq(t.path.join(" "))}) candidates=${sq([...t.subcommands, ...t.options].join(" "))} ;;`).join("\n");
  const commandPaths = `|${tree.map((t) => t.path.join(" ")).join("|")}|`;
  const valued = ` ${[...new Set(tree.flatMap((t) => t.valued))].sort().join(" ")} `;
  return `# gantry completion for bash: source <(npx gantry completion bash)
_gantry() {
  # Not "path" or "words": zsh runs this function too (bashcompinit), and there those are PATH and the line's words.
  local cur prev command_path="" candidates="" i w
  local paths=${sq(commandPaths)} valued=${sq(valued)}
  cur="\${COMP_WORDS[COMP_CWORD]}"
  prev="\${COMP_WORDS[COMP_CWORD-1]}"
  case "$prev" in
    --stack|--base) COMPREPLY=($(compgen -W "$(${STACKS_SH})" -- "$cur")); return ;;
    --service) COMPREPLY=($(compgen -W "$(${SERVICES_SH})" -- "$cur")); return ;;
    --services|--outputs|--source-outputs) COMPREPLY=($(compgen -d -- "$cur")); return ;;
  esac
  # The command path is the words that name commands: an option's value (--stack dev) and an argument
  # (detect services/api) are neither, and must not hide the options still to complete.
  for ((i = 1; i < COMP_CWORD; i++)); do
    w="\${COMP_WORDS[i]}"
    case "$valued" in *" $w "*) i=$((i + 1)); continue ;; esac
    case "$w" in -*) continue ;; esac
    case "$paths" in *"|\${command_path:+$command_path }$w|"*) command_path="\${command_path:+$command_path }$w" ;; esac
  done
  case "$command_path" in
${cases}
    *) candidates="" ;;
  esac
  COMPREPLY=($(compgen -W "$candidates" -- "$cur"))
}
complete -o default -F _gantry gantry
`;
}

export function zshScript(program: Command): string {
  return `#compdef gantry
# gantry completion for zsh: source <(npx gantry completion zsh)
autoload -U bashcompinit && bashcompinit
${bashScript(program)}`;
}

export function fishScript(program: Command): string {
  const lines: string[] = ["# gantry completion for fish: npx gantry completion fish | source", "complete -c gantry -f"];
  for (const t of walk(program)) {
    const condition = t.path.length === 0 ? "__fish_use_subcommand" : `__fish_seen_subcommand_from ${t.path[t.path.length - 1]}`;
    for (const sub of t.subcommands) lines.push(`complete -c gantry -n ${sq(condition)} -a ${sq(sub)}`);
    for (const o of t.options.filter((x) => x.startsWith("--"))) lines.push(`complete -c gantry -n ${sq(condition)} -l ${sq(o.slice(2))}`);
  }
  lines.push(`complete -c gantry -l stack -x -a ${sq(`(${STACKS_SH})`)}`);
  lines.push(`complete -c gantry -l service -x -a ${sq(`(${SERVICES_SH})`)}`);
  return `${lines.join("\n")}\n`;
}

const SCRIPTS: Record<string, (program: Command) => string> = { bash: bashScript, zsh: zshScript, fish: fishScript };

export function registerCompletion(program: Command): void {
  program
    .command("completion")
    .description("Print a shell completion script: bash (source <(npx gantry completion bash)), zsh, or fish (npx gantry completion fish | source).")
    .argument("<shell>", "bash, zsh or fish")
    .action((shell: string) => {
      const script = SCRIPTS[shell];
      if (!script) {
        console.error(`gantry completion: ${shell}: expected bash, zsh or fish`);
        process.exitCode = 2;
        return;
      }
      process.stdout.write(script(program));
    });
}
