#!/usr/bin/env python3
"""Turns the ```cpp blocks of markdown files into C++ translation units, so that the build
compiles the documentation's code (tests/docs).

One translation unit per markdown file, one namespace per block. A block is a fragment by
default: its lines become the body of a function returning int, and the names it uses without
declaring them (an `lm`, a `train` dataset, a `tuner`, ...) come from
tests/docs/snippet_prelude.hpp. A block right after the line `<!-- snippet: top-level -->` is
compiled at namespace scope instead: a whole program (`int main`) or declarations. `#include`
lines move to the top of the file. `#line` directives make the compiler name the markdown file
and line.

    extract.py --root SRC --output-dir OUT FILE.md...          writes OUT/<FILE.md>.cpp
    extract.py --root SRC --output-dir OUT --check FILE.md...  fails unless they are up to date

Fails, naming the file and line, when a file has no ```cpp block, a fence is not closed, a
marker is unknown or not followed by a ```cpp block, or a ```cpp line was not extracted.
"""

import argparse
import os
import re
import sys
from pathlib import Path

PRELUDE = "snippet_prelude.hpp"
CPP_LANGUAGES = {"cpp", "c++"}
MARKER = re.compile(r"^\s*<!--\s*snippet:\s*(.*?)\s*-->\s*$")
KINDS = {"top-level"}
FENCE = re.compile(r"^(?P<indent>\s*)(?P<fence>`{3,}|~{3,})\s*(?P<info>[^`]*?)\s*$")
# Any line opening a cpp block, however the block parser reads it: a cross-check that no block
# is skipped (for instance swallowed by an unterminated fence before it).
NAIVE_CPP_OPENING = re.compile(r"^\s*(`{3,}|~{3,})\s*(cpp|c\+\+)\b", re.IGNORECASE)
INCLUDE = re.compile(r"^\s*#\s*include\b")
MAIN = re.compile(r"\bint\s+main\s*\(")


class SnippetError(Exception):
    pass


class Snippet:
    def __init__(self, line, kind, lines):
        self.line = line  # 1-based line of the opening fence
        self.kind = kind  # "fragment" or "top-level"
        self.lines = lines  # the block's text, one entry per markdown line


def parse(path, display):
    """The ```cpp blocks of a markdown file, in order."""
    text = path.read_text(encoding="utf-8").splitlines()
    snippets = []
    marker = None  # (line, kind) of a marker waiting for its block
    index = 0
    while index < len(text):
        line = text[index]
        number = index + 1
        found = MARKER.match(line)
        if found:
            kind = found.group(1)
            if kind not in KINDS:
                raise SnippetError(
                    f"{display}:{number}: unknown snippet marker '{kind}' "
                    f"(known: {', '.join(sorted(KINDS))})")
            marker = (number, kind)
            index += 1
            continue
        fence = FENCE.match(line)
        if not fence:
            if marker and line.strip():
                raise SnippetError(
                    f"{display}:{marker[0]}: the marker is not followed by a ```cpp block")
            index += 1
            continue
        indent = len(fence.group("indent"))
        opening = fence.group("fence")
        language = fence.group("info").split()[0].lower() if fence.group("info") else ""
        body = []
        index += 1
        while True:
            if index >= len(text):
                raise SnippetError(f"{display}:{number}: the fence {opening} is never closed")
            closing = FENCE.match(text[index])
            if (closing and closing.group("fence")[0] == opening[0]
                    and len(closing.group("fence")) >= len(opening)
                    and not closing.group("info")):
                break
            content = text[index]
            # Inside a list item the block is indented as its fence is.
            strip = min(indent, len(content) - len(content.lstrip()))
            body.append(content[strip:])
            index += 1
        index += 1
        if language in CPP_LANGUAGES:
            kind = marker[1] if marker else "fragment"
            snippets.append(Snippet(number, kind, body))
        elif marker:
            raise SnippetError(
                f"{display}:{marker[0]}: the marker is followed by a ```{language} block, "
                "not ```cpp")
        marker = None
    if marker:
        raise SnippetError(f"{display}:{marker[0]}: the marker is not followed by a ```cpp block")

    extracted = {snippet.line for snippet in snippets}
    for number, line in enumerate(text, start=1):
        if NAIVE_CPP_OPENING.match(line) and number not in extracted:
            raise SnippetError(
                f"{display}:{number}: this ```cpp line was not read as the start of a block "
                "(is a fence before it left open?)")
    if not snippets:
        raise SnippetError(f"{display}: no ```cpp block; the file should not be given, or "
                           "should show C++")
    return snippets


def namespace_of(display, line):
    # No double underscore: such identifiers are reserved.
    return "snippet_" + re.sub(r"_+", "_", re.sub(r"\W", "_", display)).strip("_") + f"_{line}"


def render(path, display, snippets, output):
    """The translation unit of one markdown file."""
    quoted = str(path).replace("\\", "\\\\").replace('"', '\\"')
    quoted_output = str(output).replace("\\", "\\\\").replace('"', '\\"')
    includes = []
    out = [
        f"// Generated by tools/doc_snippets/extract.py from {display}: do not edit.",
        f'#include "{PRELUDE}"',
    ]
    head = len(out)  # the hoisted includes go here
    # After the headers: a snippet may show a value it computes without using it further.
    out.append('#pragma GCC diagnostic ignored "-Wunused-variable"')
    for snippet in snippets:
        lines = []
        for line in snippet.lines:
            if INCLUDE.match(line):
                includes.append(line.strip())
                lines.append("")  # keeps the line numbers of the block
            else:
                lines.append(line)
        name = namespace_of(display, snippet.line)
        out.append("")
        out.append(f"namespace {name} {{")
        out.append("using namespace snippet_prelude;")
        # main may end without a return statement; elsewhere that is a mistake.
        defines_main = snippet.kind == "top-level" and any(MAIN.search(text) for text in lines)
        if defines_main:
            out.append("#pragma GCC diagnostic push")
            out.append('#pragma GCC diagnostic ignored "-Wreturn-type"')
        if snippet.kind == "fragment":
            out.append("int snippet() {")
        out.append(f'#line {snippet.line + 1} "{quoted}"')
        out.extend(lines)
        out.append(None)  # #line back to the generated file, numbered below
        if snippet.kind == "fragment":
            out.append("  return 0;")
            out.append("}")
        if defines_main:
            out.append("#pragma GCC diagnostic pop")
        out.append(f"}}  // namespace {name}")
    unique = list(dict.fromkeys(includes))
    out[head:head] = unique
    for number, line in enumerate(out):
        if line is None:
            out[number] = f'#line {number + 2} "{quoted_output}"'
    return "\n".join(out) + "\n"


def output_path(output_dir, display):
    return output_dir / (display + ".cpp")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, required=True,
                        help="the source tree the markdown paths are named from")
    parser.add_argument("--output-dir", type=Path, required=True)
    parser.add_argument("--check", action="store_true",
                        help="write nothing; fail unless the files written are up to date")
    parser.add_argument("markdown", type=Path, nargs="+")
    options = parser.parse_args()

    # Absolute paths as given, symbolic links kept: the build names the outputs the same way.
    root = Path(os.path.abspath(options.root))
    output_dir = Path(os.path.abspath(options.output_dir))
    stale = []
    total = 0
    try:
        for markdown in options.markdown:
            path = Path(os.path.abspath(markdown))
            try:
                display = path.relative_to(root).as_posix()
            except ValueError:
                raise SnippetError(f"{path}: not under --root {root}") from None
            if not path.is_file():
                raise SnippetError(f"{display}: no such file")
            snippets = parse(path, display)
            total += len(snippets)
            output = output_path(output_dir, display)
            text = render(path, display, snippets, output)
            if options.check:
                if not output.is_file() or output.read_text(encoding="utf-8") != text:
                    stale.append(str(output))
            else:
                output.parent.mkdir(parents=True, exist_ok=True)
                output.write_text(text, encoding="utf-8")
    except SnippetError as error:
        print(f"extract.py: {error}", file=sys.stderr)
        return 1
    if stale:
        for output in stale:
            print(f"extract.py: {output} is missing or differs from what its markdown gives "
                  "now; build the doc_snippets target", file=sys.stderr)
        return 1
    verb = "checked" if options.check else "extracted"
    print(f"extract.py: {total} C++ snippets {verb} from {len(options.markdown)} markdown files")
    return 0


if __name__ == "__main__":
    sys.exit(main())
