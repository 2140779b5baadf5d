import type { ArgCompletion } from './base-command';
import { HACO_RUN_ROOT } from '../../state/paths';

/**
 * Shell completion scripts, written by hand rather than with @oclif/plugin-autocomplete: that plugin
 * completes command and flag names only (its dynamic part runs `haco` itself for every TAB), and what
 * people want after `haco stop` or `haco start` is a container name from the state directory or a
 * .haco.ts file, read by the shell in a few microseconds. One bash function does the work; zsh runs it
 * through its bashcompinit, so the two cannot disagree. The command table is oclif's
 * (src/commands/completion.ts builds it from the loaded commands), never a list kept here.
 */

/** One command as completion needs it. */
export interface CompletionCommand {
  /** oclif's id: words joined with ':' (`net:bridge:create`). */
  id: string;
  aliases: readonly string[];
  flags: readonly CompletionFlag[];
  /** What each positional argument is, in order (undefined: free text; 'containers': this and every later one). */
  args: readonly (ArgCompletion | undefined)[];
}

export interface CompletionFlag {
  name: string;
  char?: string;
  /** Takes a value (`--cpu 30%`), so the next word is not an argument. */
  value: boolean;
  /** `--no-NAME` exists. */
  allowNo?: boolean;
  /** A fixed set of values, offered after the flag. */
  options?: readonly string[];
}

/** Single-quoted for the shell. */
function q(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

/** The words that may follow each topic ('' is the top level), from the command ids and aliases. */
function topicWords(commands: readonly CompletionCommand[]): Map<string, string[]> {
  const words = new Map<string, Set<string>>();
  const add = (id: string) => {
    const parts = id.split(':');
    for (let i = 0; i < parts.length; i++) {
      const topic = parts.slice(0, i).join(':');
      if (!words.has(topic)) words.set(topic, new Set());
      words.get(topic)!.add(parts[i]!);
    }
  };
  for (const c of commands) for (const id of [c.id, ...c.aliases]) add(id);
  return new Map([...words].map(([topic, set]) => [topic, [...set].sort()]));
}

function flagWords(c: CompletionCommand): string[] {
  const words = c.flags.flatMap((f) => [`--${f.name}`, ...(f.allowNo ? [`--no-${f.name}`] : []), ...(f.char ? [`-${f.char}`] : [])]);
  return [...new Set([...words, '--help'])];
}

function valuedFlags(c: CompletionCommand): string[] {
  return c.flags.filter((f) => f.value).flatMap((f) => [`--${f.name}`, ...(f.char ? [`-${f.char}`] : [])]);
}

/** The bash script: `source <(haco completion bash)`, or save it in /etc/bash_completion.d/haco. */
export function bashCompletion(commands: readonly CompletionCommand[], version: string): string {
  const topics = [...topicWords(commands)].map(([topic, words]) => `    ${q(topic)}) REPLY=${q(words.join(' '))} ;;`);
  const specs = commands.map((c) => {
    const ids = [c.id, ...c.aliases].map(q).join('|');
    return `    ${ids}) _haco_flags=${q(flagWords(c).join(' '))}; _haco_valued=${q(` ${valuedFlags(c).join(' ')} `)}; _haco_args=${q(c.args.map((a) => (a === 'containers' ? 'container' : a === 'commands' ? 'command' : a ?? 'text')).join(' '))}; _haco_more=${q(c.args.includes('containers') ? 'container' : c.args.includes('commands') ? 'command' : '')} ;;`;
  });
  const choices = commands.flatMap((c) =>
    c.flags
      .filter((f) => f.options && f.options.length > 0)
      .map((f) => `    ${[c.id, ...c.aliases].flatMap((id) => [`--${f.name}`, ...(f.char ? [`-${f.char}`] : [])].map((w) => q(`${id} ${w}`))).join('|')}) REPLY=${q(f.options!.join(' '))} ;;`),
  );
  return `# bash completion for haco ${version}, written by \`haco completion bash\`.
# Use: source <(haco completion bash)   or save it as /etc/bash_completion.d/haco
# Completes commands, flags, .haco.ts files and the names of containers in ${HACO_RUN_ROOT} (or $HACO_RUN_DIR).

# The words that may follow topic $1 ('' is the top level), in REPLY.
_haco_words() {
  case $1 in
${topics.join('\n')}
    *) REPLY='' ;;
  esac
}

# The flags of command $1, those that take a value, what its arguments are; status 1 if it is not a command.
_haco_spec() {
  case $1 in
${specs.join('\n')}
    *) return 1 ;;
  esac
}

# Fixed values of flag $2 of command $1, in REPLY.
_haco_choices() {
  case "$1 $2" in
${choices.join('\n')}
    *) REPLY='' ;;
  esac
}

# The containers haco knows on this machine: the folders of its run directory.
_haco_containers() {
  local entry
  for entry in "\${HACO_RUN_DIR:-${HACO_RUN_ROOT}}"/*; do
    [[ -d $entry ]] && printf '%s\\n' "\${entry##*/}"
  done
}

# COMPREPLY for an argument of kind $1 (file, container, command, text) starting with $2; $3: the
# arguments before it joined with ':' (for "haco help net b": net).
_haco_complete_kind() {
  local IFS=$'\\n'
  case $1 in
    file)
      type compopt &>/dev/null && compopt -o filenames 2>/dev/null
      COMPREPLY=($(compgen -d -- "$2") $(compgen -f -X '!*.haco.ts' -- "$2")) ;;
    container) COMPREPLY=($(compgen -W "$(_haco_containers)" -- "$2")) ;;
    command) _haco_words "$3"; IFS=$' \\n'; COMPREPLY=($(compgen -W "$REPLY" -- "$2")) ;;
    *) COMPREPLY=() ;;
  esac
}

_haco() {
  local cur=\${COMP_WORDS[COMP_CWORD]} prev=\${COMP_WORDS[COMP_CWORD-1]} word id topic='' cmd='' i n=0 REPLY='' said=''
  local _haco_flags _haco_valued _haco_args _haco_more
  COMPREPLY=()
  for ((i = 1; i < COMP_CWORD; i++)); do
    word=\${COMP_WORDS[i]}
    if [[ -z $cmd ]]; then
      [[ $word == -* ]] && continue
      id=\${topic:+$topic:}$word
      if _haco_spec "$id"; then cmd=$id; else topic=$id; fi
      continue
    fi
    case $word in
      --)
        # The container's command and its arguments: files, as any command's.
        type compopt &>/dev/null && compopt -o filenames 2>/dev/null
        local IFS=$'\\n'
        COMPREPLY=($(compgen -f -- "$cur"))
        return 0 ;;
      =) ((i++)) ;; # bash splits --flag=value at "=": skip the value
      --*=*) ;;
      -*) [[ $_haco_valued == *" $word "* && \${COMP_WORDS[i+1]} != = ]] && ((i++)) ;;
      *) ((n++)); said=\${said:+$said:}$word ;;
    esac
  done
  if [[ -z $cmd ]]; then
    _haco_words "$topic"
    COMPREPLY=($(compgen -W "$REPLY" -- "$cur"))
    return 0
  fi
  # A flag's value: "--flag value" or "--flag=value" (bash: words --flag, =, value).
  local flag=''
  if [[ $prev == = ]]; then flag=\${COMP_WORDS[COMP_CWORD-2]}; elif [[ $cur != -* && $_haco_valued == *" $prev "* ]]; then flag=$prev; fi
  if [[ $cur == = ]]; then flag=$prev; cur=''; fi
  if [[ -n $flag ]]; then
    _haco_choices "$cmd" "$flag"
    COMPREPLY=($(compgen -W "$REPLY" -- "$cur"))
    return 0
  fi
  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W "$_haco_flags" -- "$cur"))
    return 0
  fi
  local -a kinds=($_haco_args)
  _haco_complete_kind "\${kinds[n]:-$_haco_more}" "$cur" "$said"
}

complete -F _haco haco
`;
}

/** The zsh script: the bash one through zsh's bashcompinit (`source <(haco completion zsh)` after compinit). */
export function zshCompletion(commands: readonly CompletionCommand[], version: string): string {
  return `# zsh completion for haco ${version}, written by \`haco completion zsh\`.
# Use: source <(haco completion zsh)   in ~/.zshrc (compinit is loaded first if it was not).
(( $+functions[compdef] )) || { autoload -Uz compinit && compinit; }
autoload -Uz bashcompinit && bashcompinit

${bashCompletion(commands, version).split('\n').filter((l) => !l.startsWith('# ')).join('\n')}`;
}
