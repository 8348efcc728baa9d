/**
 * Finds the error codes each package uses, and loads the tables that register them
 * (`packages/<pkg>/src/errorCodes.ts`). Shared by `scripts/errors-doc.ts` (writes docs/errors.md)
 * and `scripts/errors-doc.test.ts` (fails on unregistered, unused, misowned or duplicate codes).
 *
 * The scan parses every `packages/<pkg>/src/**\/*.ts` (not tests, not `fixtures/` or
 * `test-fixtures/` folders) with the TypeScript parser, so comments never count. A string
 * shaped like a code (`GGUF_CORRUPT`: capitals and digits, at least one underscore) is a use when
 *  - it is the first argument of `new SomethingError(…)` (also through `a ? 'X' : 'Y'`, `??`, `||`);
 *  - it is the value of a property, variable or parameter named `code` or `…Code`
 *    (`{ code: 'X' }`, `errorCode: 'X'`, `const code = …`, `fallbackCode = 'X'`);
 *  - it is a member of a type that lists codes (`type ToolCallErrorCode = 'A' | 'B'`, `code: 'A' | 'B'`);
 *  - anywhere else, when its prefix is registered by some package (a helper's argument,
 *    `badTensor(name, msg, 'GGUF_DUPLICATE_TENSOR')`), or it is written `[CODE]` inside a message.
 * A template such as `PROVIDER_HTTP_${status}` in those places is the family `PROVIDER_HTTP_*`;
 * a table registers it as `PROVIDER_HTTP_<status>`.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';

export const CODE_RE = /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$/;
const FAMILY_HEAD_RE = /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*_$/;
const BRACKET_RE = /\[([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)\]/g;
/** An outside protocol's code (OpenAI's `context_length_exceeded`), counted only as `new …Error(code, …)`. */
const STANDARD_RE = /^[a-z][a-z0-9]*(?:_[a-z0-9]+)+$/;
/** JavaScript's own error classes, whose first argument is a message, never a code. */
const BUILTIN_ERRORS = new Set([
  'Error',
  'TypeError',
  'RangeError',
  'SyntaxError',
  'ReferenceError',
  'EvalError',
  'URIError',
  'AggregateError',
]);

export interface ErrorCodeEntry {
  readonly meaning: string;
  readonly action: string;
  /** An outside protocol's code (e.g. 'OpenAI'): no prefix needed. */
  readonly standard?: string;
}

export interface PackageInfo {
  /** Folder from the repository root (`packages/formats`, `apps/studio`). */
  dir: string;
  /** Its source folder: `src` for packages, `server` for an app's Node side (`apps/studio/server`). */
  src: string;
  /** npm name (`@puyu/formats`). */
  name: string;
  /** @puyu/* packages it depends on at run time (dependencies and peerDependencies). */
  deps: string[];
}

export interface PackageTable {
  pkg: PackageInfo;
  /** The module's exported `…_ERROR_PREFIXES`. */
  prefixes: readonly string[];
  /** The module's exported `…_ERROR_CODES`. */
  codes: Readonly<Record<string, ErrorCodeEntry>>;
  /** Names of the two exports, e.g. FORMATS_ERROR_CODES. */
  codesExport: string;
}

export type UseKind = 'throw' | 'code-property' | 'code-variable' | 'code-type' | 'bracket' | 'owned-prefix';

export interface CodeUse {
  /** The code as written, or a family `PREFIX_*` for a template with substitutions. */
  code: string;
  pkg: string;
  /** Path from the repository root, and 1-based line. */
  file: string;
  line: number;
  kind: UseKind;
}

/** A table key with a `<placeholder>` stands for a family: `PROVIDER_HTTP_<status>` → `PROVIDER_HTTP_*`. */
export function normalizeCode(code: string): string {
  return code.replace(/<[^>]*>$/, '*');
}

export function listPackages(root: string): PackageInfo[] {
  // packages/<name>/src, and an app's server side (apps/<name>/server): the code that throws coded errors
  const places = [
    { base: 'packages', src: 'src' },
    { base: 'apps', src: 'server' },
  ];
  return places
    .flatMap(({ base, src }) => {
      const abs = join(root, base);
      if (!existsSync(abs)) return [];
      return readdirSync(abs, { withFileTypes: true })
        .filter((d) => d.isDirectory() && existsSync(join(abs, d.name, 'package.json')) && existsSync(join(abs, d.name, src)))
        .map((d) => {
          const json = JSON.parse(readFileSync(join(abs, d.name, 'package.json'), 'utf8')) as {
            name: string;
            dependencies?: Record<string, string>;
            peerDependencies?: Record<string, string>;
          };
          const deps = Object.keys({ ...json.dependencies, ...json.peerDependencies }).filter((n) => n.startsWith('@puyu/'));
          return { dir: `${base}/${d.name}`, src, name: json.name, deps: deps.sort() };
        });
    })
    .sort((a, b) => a.dir.localeCompare(b.dir));
}

/** The source files the scan reads: no tests, no fixture folders. */
export function sourceFiles(root: string, pkg: PackageInfo): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) {
        if (!['node_modules', 'dist', 'fixtures', 'test-fixtures'].includes(e.name)) walk(p);
      } else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') && !e.name.endsWith('.test.ts')) {
        out.push(p);
      }
    }
  };
  walk(join(root, pkg.dir, pkg.src));
  return out.sort();
}

/** Loads every package's `src/errorCodes.ts` (packages without one register nothing). */
export async function loadTables(root: string, packages = listPackages(root)): Promise<PackageTable[]> {
  const tables: PackageTable[] = [];
  for (const pkg of packages) {
    const file = join(root, pkg.dir, pkg.src, 'errorCodes.ts');
    if (!existsSync(file)) continue;
    const mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
    const codesExport = Object.keys(mod).find((k) => k.endsWith('_ERROR_CODES'));
    const prefixesExport = Object.keys(mod).find((k) => k.endsWith('_ERROR_PREFIXES'));
    if (!codesExport || !prefixesExport)
      throw new Error(`${relative(root, file)} must export a …_ERROR_CODES table and its …_ERROR_PREFIXES.`);
    tables.push({
      pkg,
      codes: mod[codesExport] as Record<string, ErrorCodeEntry>,
      prefixes: mod[prefixesExport] as readonly string[],
      codesExport,
    });
  }
  return tables;
}

/** The package owning `code`: the one registering the longest prefix it starts with. */
export function ownerOf(code: string, tables: readonly PackageTable[]): PackageTable | undefined {
  let best: { t: PackageTable; len: number } | undefined;
  for (const t of tables) for (const p of t.prefixes) if (code.startsWith(p) && (!best || p.length > best.len)) best = { t, len: p.length };
  return best?.t;
}

function unwrap(n: ts.Node): ts.Node {
  let cur = n;
  while (
    ts.isParenthesizedExpression(cur.parent) ||
    ts.isAsExpression(cur.parent) ||
    ts.isSatisfiesExpression(cur.parent) ||
    (ts.isConditionalExpression(cur.parent) && cur.parent.condition !== cur) ||
    (ts.isBinaryExpression(cur.parent) &&
      cur.parent.right === cur &&
      [ts.SyntaxKind.QuestionQuestionToken, ts.SyntaxKind.BarBarToken].includes(cur.parent.operatorToken.kind))
  )
    cur = cur.parent;
  return cur;
}

function nameText(n: ts.Node | undefined): string | undefined {
  if (!n) return undefined;
  if (ts.isIdentifier(n) || ts.isStringLiteral(n) || ts.isPrivateIdentifier(n)) return n.text;
  return undefined;
}

const isCodeName = (name: string | undefined): boolean => name !== undefined && (name === 'code' || /Code$/.test(name));

/** What makes a literal at `n` a code by position, if anything. */
function codeContext(n: ts.Node): UseKind | undefined {
  const top = unwrap(n);
  const p = top.parent;
  if (ts.isNewExpression(p) && p.arguments?.[0] === top) {
    const callee = ts.isPropertyAccessExpression(p.expression) ? p.expression.name.text : nameText(p.expression);
    if (callee && /Error$/.test(callee) && !BUILTIN_ERRORS.has(callee)) return 'throw';
  }
  if (ts.isPropertyAssignment(p) && p.initializer === top && isCodeName(nameText(p.name))) return 'code-property';
  if ((ts.isVariableDeclaration(p) || ts.isParameter(p)) && p.initializer === top && isCodeName(nameText(p.name))) return 'code-variable';
  if (ts.isBinaryExpression(p) && p.right === top && p.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
    const left = ts.isPropertyAccessExpression(p.left) ? p.left.name.text : nameText(p.left);
    if (isCodeName(left)) return 'code-variable';
  }
  // A literal type: climb through unions and parentheses to what declares it.
  if (ts.isLiteralTypeNode(n.parent)) {
    let t: ts.Node = n.parent;
    while (ts.isUnionTypeNode(t.parent) || ts.isParenthesizedTypeNode(t.parent)) t = t.parent;
    const d = t.parent;
    if (ts.isTypeAliasDeclaration(d) && /Code$/.test(d.name.text)) return 'code-type';
    if ((ts.isPropertySignature(d) || ts.isPropertyDeclaration(d)) && nameText(d.name) === 'code') return 'code-type';
  }
  return undefined;
}

/** A code found in one source text (no package or file attached yet). */
export interface SourceCodeUse {
  code: string;
  line: number;
  kind: UseKind;
}

/**
 * Every code use in one TypeScript source text. `ownedPrefixes` are all registered prefixes: a
 * code-shaped string outside the positions above counts only when it starts with one of them
 * (so tensor types like 'Q8_0' and Node's 'ERR_MODULE_NOT_FOUND' are not codes).
 */
export function scanSource(text: string, ownedPrefixes: readonly string[], fileName = 'source.ts'): SourceCodeUse[] {
  const uses: SourceCodeUse[] = [];
  const owned = (code: string): boolean => ownedPrefixes.some((p) => code.startsWith(p));
  const sf = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const add = (code: string, node: ts.Node, kind: UseKind): void => {
    uses.push({ code, line: sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1, kind });
  };
  const brackets = (s: string, node: ts.Node): void => {
    for (const m of s.matchAll(BRACKET_RE)) if (owned(m[1])) add(m[1], node, 'bracket');
  };
  const visit = (node: ts.Node): void => {
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) {
      const s = node.text;
      if (CODE_RE.test(s)) {
        const kind = codeContext(node) ?? (owned(s) ? 'owned-prefix' : undefined);
        if (kind) add(s, node, kind);
      } else if (STANDARD_RE.test(s) && codeContext(node) === 'throw') {
        add(s, node, 'throw');
      } else {
        brackets(s, node);
      }
    } else if (ts.isTemplateExpression(node)) {
      const head = node.head.text;
      if (FAMILY_HEAD_RE.test(head)) {
        const kind = codeContext(node) ?? (owned(head) ? 'owned-prefix' : undefined);
        if (kind) add(`${head}*`, node, kind);
      }
      brackets(head, node);
      for (const span of node.templateSpans) brackets(span.literal.text, node);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return uses;
}

/** Every code use in one package's sources (see `scanSource`). */
export function scanPackage(root: string, pkg: PackageInfo, ownedPrefixes: readonly string[]): CodeUse[] {
  return sourceFiles(root, pkg).flatMap((file) =>
    scanSource(readFileSync(file, 'utf8'), ownedPrefixes, file).map((u) => ({ ...u, pkg: pkg.name, file: relative(root, file) })),
  );
}

/** Everything the checks and the doc need: packages, their tables, and every code use. */
export interface ErrorCodeSurvey {
  packages: PackageInfo[];
  tables: PackageTable[];
  uses: CodeUse[];
}

export async function surveyErrorCodes(root: string): Promise<ErrorCodeSurvey> {
  const packages = listPackages(root);
  const tables = await loadTables(root, packages);
  const prefixes = tables.flatMap((t) => t.prefixes);
  const uses = packages.flatMap((p) => scanPackage(root, p, prefixes));
  return { packages, tables, uses };
}

const where = (u: CodeUse): string => `${u.file}:${u.line}`;

/** Groups uses by (package, code), keeping every site. */
function sitesByCode(uses: readonly CodeUse[]): Map<string, { pkg: string; code: string; sites: string[] }> {
  const out = new Map<string, { pkg: string; code: string; sites: string[] }>();
  for (const u of uses) {
    const key = `${u.pkg} ${u.code}`;
    const e = out.get(key) ?? { pkg: u.pkg, code: u.code, sites: [] };
    e.sites.push(where(u));
    out.set(key, e);
  }
  return out;
}

/** Normalized codes a table registers. */
function registered(t: PackageTable): Set<string> {
  return new Set(Object.keys(t.codes).map(normalizeCode));
}

/** Codes used in a package that neither its table nor its dependencies' tables register. */
export function unregisteredCodes(s: ErrorCodeSurvey): string[] {
  const byName = new Map(s.tables.map((t) => [t.pkg.name, t]));
  const out: string[] = [];
  for (const { pkg, code, sites } of sitesByCode(s.uses).values()) {
    const info = s.packages.find((p) => p.name === pkg)!;
    const visible = [pkg, ...info.deps].map((n) => byName.get(n)).filter((t) => t !== undefined);
    if (visible.some((t) => registered(t).has(code))) continue;
    const elsewhere = s.tables.filter((t) => registered(t).has(code)).map((t) => t.pkg.name);
    const owner = ownerOf(code, s.tables)?.pkg.name;
    const why = elsewhere.length
      ? `registered only by ${elsewhere.join(', ')}, which ${pkg} does not depend on`
      : owner
        ? `in no table (its prefix belongs to ${owner})`
        : 'in no table, and no package owns its prefix';
    out.push(`${pkg}: ${code} is ${why} — used at ${sites.join(', ')}`);
  }
  return out.sort();
}

/** Table entries no source uses. */
export function unusedCodes(s: ErrorCodeSurvey): string[] {
  const used = new Set(s.uses.map((u) => u.code));
  return s.tables.flatMap((t) =>
    Object.keys(t.codes)
      .filter((c) => !used.has(normalizeCode(c)))
      .map((c) => `${t.pkg.name}: ${c} is registered in ${t.codesExport} but never used in its sources (packages/*/src, apps/*/server)`),
  );
}

/** Codes whose prefix another package owns, prefixes owned twice, and one package's prefix inside another's. */
export function ownershipProblems(s: ErrorCodeSurvey): string[] {
  const out: string[] = [];
  for (const a of s.tables)
    for (const b of s.tables) {
      if (a === b) continue;
      for (const pa of a.prefixes)
        for (const pb of b.prefixes)
          if (pb.startsWith(pa) && (pa !== pb || a.pkg.name < b.pkg.name))
            out.push(
              pa === pb
                ? `prefix ${pa} is owned by both ${a.pkg.name} and ${b.pkg.name}`
                : `prefix ${pb} of ${b.pkg.name} lies inside prefix ${pa} of ${a.pkg.name}`,
            );
    }
  for (const t of s.tables)
    for (const [code, info] of Object.entries(t.codes)) {
      if (info.standard !== undefined) continue;
      const owner = ownerOf(code, s.tables);
      if (owner !== t)
        out.push(`${t.pkg.name}: ${code} is in ${t.codesExport} but its prefix belongs to ${owner?.pkg.name ?? 'no package'}`);
    }
  return out.sort();
}

/** Codes that two tables register. */
export function duplicateCodes(s: ErrorCodeSurvey): string[] {
  const seen = new Map<string, string[]>();
  for (const t of s.tables) for (const c of registered(t)) seen.set(c, [...(seen.get(c) ?? []), t.pkg.name]);
  return [...seen]
    .filter(([, pkgs]) => pkgs.length > 1)
    .map(([c, pkgs]) => `${c} is registered by ${pkgs.join(' and ')}`)
    .sort();
}
