/**
 * `$(VAR)` expansion as upstream's third_party/forked/golang/expansion: a defined name is replaced, an
 * undefined one stays literally, `$$` is an escaped `$`, an unclosed `$(` stays as written.
 */
export type Mapping = (name: string) => string;

export function mappingFor(...sources: ReadonlyMap<string, string>[]): Mapping {
  return (name) => {
    for (const s of sources) {
      const v = s.get(name);
      if (v !== undefined) return v;
    }
    return `$(${name})`;
  };
}

export function expand(input: string, mapping: Mapping): string {
  let out = '';
  let checkpoint = 0;
  for (let cursor = 0; cursor < input.length; cursor++) {
    if (input[cursor] !== '$' || cursor + 1 >= input.length) continue;
    out += input.slice(checkpoint, cursor);
    const rest = input.slice(cursor + 1);
    let advance = 1;
    if (rest[0] === '$') out += '$';
    else if (rest[0] === '(') {
      const close = rest.indexOf(')', 1);
      if (close === -1) out += '$(';
      else {
        out += mapping(rest.slice(1, close));
        advance = close + 1;
      }
    } else out += '$' + rest[0];
    cursor += advance;
    checkpoint = cursor + 1;
  }
  return out + input.slice(checkpoint);
}

/**
 * The argv a runtime runs (Kubernetes' rules over the image's Entrypoint/Cmd): command replaces Entrypoint
 * and drops Cmd; args alone replace Cmd; neither keeps the image's.
 */
export function effectiveArgv(
  command: string[],
  args: string[],
  image: { entrypoint: string[]; cmd: string[] },
): string[] {
  if (command.length > 0) return [...command, ...args];
  return [...image.entrypoint, ...(args.length > 0 ? args : image.cmd)];
}
