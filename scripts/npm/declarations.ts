/**
 * Hides what is not API from the emitted declarations (`.d.ts`) of the npm packages, as
 * TypeScript's `stripInternal` would: members and declarations tagged `@internal` disappear, an
 * `@internal` constructor becomes `private constructor();` (the class cannot be created by
 * users), and what only they used goes too (non-exported helper types, unused imports such as
 * `ws` or `node:http` types), so no type-only package is needed for them. The Deno sources and
 * `deno doc` are untouched. A public `_`-prefixed member that is not tagged is reported: it
 * would show in users' autocomplete.
 *
 * @module
 */

import ts from "typescript";

/** One text replacement in a declaration file. */
interface Edit {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

/** The result of {@linkcode hideInternals} for one file. */
export interface HiddenInternals {
  /** The declaration text without internals. */
  readonly text: string;
  /** What was removed or made private, e.g. `Simulator._live`, `Live`, `import ws`. */
  readonly hidden: readonly string[];
  /** Public `_`-prefixed members left without `@internal` (problems to fix in the source). */
  readonly untagged: readonly string[];
}

function parse(fileName: string, text: string): ts.SourceFile {
  return ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
}

function isInternal(node: ts.Node): boolean {
  return ts.getJSDocTags(node).some((tag) => tag.tagName.text === "internal");
}

function nameOf(node: ts.Node): string {
  const name = (node as { name?: ts.Node }).name;
  if (name === undefined) return ts.isConstructorDeclaration(node) ? "constructor" : "?";
  return name.getText();
}

function isExported(node: ts.Statement): boolean {
  return ts.canHaveModifiers(node) &&
    (ts.getModifiers(node) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
}

function apply(text: string, edits: readonly Edit[]): string {
  let out = text;
  for (const edit of [...edits].sort((a, b) => b.start - a.start)) {
    out = out.slice(0, edit.start) + edit.text + out.slice(edit.end);
  }
  return out;
}

/**
 * Removes the node with its own JSDoc: the last doc comment before it (an import's or a first
 * declaration's earlier comment is the module doc, which stays).
 */
function removal(source: ts.SourceFile, node: ts.Node): Edit {
  const docs = (node as { jsDoc?: readonly ts.JSDoc[] }).jsDoc ?? [];
  const own = ts.isImportDeclaration(node) ? undefined : docs.at(-1);
  let start = own ? own.getStart(source) : node.getStart(source);
  let end = node.getEnd();
  // Whole lines go: the indentation before and the line break after.
  const text = source.text;
  while (start > 0 && (text[start - 1] === " " || text[start - 1] === "\t")) start--;
  if (start === 0 || text[start - 1] === "\n") {
    while (text[end] === " " || text[end] === "\t") end++;
    if (text[end] === "\n") end++;
  } else start = own ? own.getStart(source) : node.getStart(source);
  return { start, end, text: "" };
}

/** Pass 1: `@internal` members and statements. */
function stripTagged(source: ts.SourceFile, hidden: string[]): Edit[] {
  const edits: Edit[] = [];
  for (const statement of source.statements) {
    if (isInternal(statement)) {
      edits.push(removal(source, statement));
      hidden.push(nameOf(statement));
      continue;
    }
    if (!ts.isClassDeclaration(statement) && !ts.isInterfaceDeclaration(statement)) continue;
    const owner = nameOf(statement);
    for (const member of statement.members) {
      if (!isInternal(member)) continue;
      if (ts.isConstructorDeclaration(member)) {
        const { start, end } = removal(source, member);
        edits.push({ start, end, text: "  private constructor();\n" });
        hidden.push(`${owner} constructor (now private)`);
      } else {
        edits.push(removal(source, member));
        hidden.push(`${owner}.${nameOf(member)}`);
      }
    }
  }
  return edits;
}

/** Identifiers used anywhere except as the declared name of a statement or in imports. */
function references(source: ts.SourceFile): Set<string> {
  const used = new Set<string>();
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) return;
    if (ts.isIdentifier(node)) {
      const parent = node.parent;
      const declares = parent !== undefined && parent.parent === source &&
        (parent as { name?: ts.Node }).name === node;
      if (!declares) used.add(node.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return used;
}

/** Pass 2 (repeated): non-exported declarations and imports nothing refers to any more. */
function pruneUnused(source: ts.SourceFile, hidden: string[]): Edit[] {
  const used = references(source);
  const edits: Edit[] = [];
  for (const statement of source.statements) {
    if (ts.isImportDeclaration(statement)) {
      const clause = statement.importClause;
      if (clause === undefined) continue; // a side-effect import stays
      const names: ts.Identifier[] = [];
      if (clause.name) names.push(clause.name);
      const bindings = clause.namedBindings;
      if (bindings && ts.isNamespaceImport(bindings)) names.push(bindings.name);
      if (bindings && ts.isNamedImports(bindings)) {
        for (const element of bindings.elements) names.push(element.name);
      }
      const from = (statement.moduleSpecifier as ts.StringLiteral).text;
      const unused = names.filter((name) => !used.has(name.text));
      if (unused.length === 0) continue;
      if (unused.length === names.length) {
        edits.push(removal(source, statement));
        hidden.push(`import from "${from}"`);
      } else if (!clause.name && bindings && ts.isNamedImports(bindings)) {
        const kept = bindings.elements.filter((e) => used.has(e.name.text));
        const text = `{ ${kept.map((e) => e.getText(source)).join(", ")} }`;
        edits.push({ start: bindings.getStart(source), end: bindings.getEnd(), text });
        hidden.push(...unused.map((name) => `import ${name.text} from "${from}"`));
      }
      continue;
    }
    const declaration = ts.isInterfaceDeclaration(statement) ||
      ts.isTypeAliasDeclaration(statement) || ts.isClassDeclaration(statement) ||
      ts.isEnumDeclaration(statement) || ts.isFunctionDeclaration(statement);
    if (!declaration || isExported(statement)) continue;
    const name = nameOf(statement);
    if (!used.has(name)) {
      edits.push(removal(source, statement));
      hidden.push(name);
    }
  }
  return edits;
}

/** Public `_`-prefixed members of exported classes and interfaces. */
function untaggedUnderscores(source: ts.SourceFile): string[] {
  const out: string[] = [];
  for (const statement of source.statements) {
    if (!ts.isClassDeclaration(statement) && !ts.isInterfaceDeclaration(statement)) continue;
    for (const member of statement.members) {
      const name = (member as { name?: ts.Node }).name;
      if (name === undefined || !ts.isIdentifier(name) || !name.text.startsWith("_")) continue;
      const modifiers = ts.canHaveModifiers(member) ? ts.getModifiers(member) ?? [] : [];
      if (modifiers.some((m) => m.kind === ts.SyntaxKind.PrivateKeyword)) continue;
      out.push(`${nameOf(statement)}.${name.text}`);
    }
  }
  return out;
}

/** Hides the internals of one declaration file (see the module doc). */
export function hideInternals(fileName: string, text: string): HiddenInternals {
  const hidden: string[] = [];
  let current = apply(text, stripTagged(parse(fileName, text), hidden));
  for (let round = 0; round < 10; round++) {
    const edits = pruneUnused(parse(fileName, current), hidden);
    if (edits.length === 0) break;
    current = apply(current, edits);
  }
  return { text: current, hidden, untagged: untaggedUnderscores(parse(fileName, current)) };
}
