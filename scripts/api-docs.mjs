#!/usr/bin/env node
// Generates the API reference (docs/api/README.md) from the types of the package's entry point
// (src/index.ts) with the TypeScript compiler API: every export with its declaration and doc comment.
// `node scripts/api-docs.mjs --check` fails when the committed reference is out of date.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import ts from 'typescript';

const root = new URL('..', import.meta.url).pathname;
const entry = `${root}src/index.ts`;
const program = ts.createProgram([entry], {
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  target: ts.ScriptTarget.ES2022,
  allowImportingTsExtensions: true,
  noEmit: true,
  strict: true,
  types: ['node'],
});
const checker = program.getTypeChecker();
const printer = ts.createPrinter({ removeComments: true });

const doc = (sym) => ts.displayPartsToString(sym.getDocumentationComment(checker)).trim();

/** A declaration as source text without bodies or comments: what a user needs to call it. */
function signature(decl) {
  const sf = decl.getSourceFile();
  if (ts.isFunctionDeclaration(decl)) {
    const copy = ts.factory.updateFunctionDeclaration(decl, decl.modifiers, decl.asteriskToken, decl.name, decl.typeParameters, decl.parameters, decl.type, undefined);
    return printer.printNode(ts.EmitHint.Unspecified, copy, sf);
  }
  if (ts.isClassDeclaration(decl)) {
    const members = decl.members.filter((m) => {
      const mods = ts.getCombinedModifierFlags(m);
      return !(mods & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected)) && !(m.name && ts.isPrivateIdentifier(m.name));
    }).map((m) => {
      if (ts.isMethodDeclaration(m)) return ts.factory.updateMethodDeclaration(m, m.modifiers, m.asteriskToken, m.name, m.questionToken, m.typeParameters, m.parameters, m.type, undefined);
      if (ts.isConstructorDeclaration(m)) return ts.factory.updateConstructorDeclaration(m, m.modifiers, m.parameters, undefined);
      if (ts.isGetAccessor(m)) return ts.factory.updateGetAccessorDeclaration(m, m.modifiers, m.name, m.parameters, m.type, undefined);
      if (ts.isPropertyDeclaration(m)) return ts.factory.updatePropertyDeclaration(m, m.modifiers, m.name, m.questionToken, m.type, undefined);
      return m;
    });
    const copy = ts.factory.updateClassDeclaration(decl, decl.modifiers, decl.name, decl.typeParameters, decl.heritageClauses, members);
    return printer.printNode(ts.EmitHint.Unspecified, copy, sf);
  }
  if (ts.isVariableDeclaration(decl)) {
    const type = decl.type ? decl.type.getText(sf) : checker.typeToString(checker.getTypeAtLocation(decl), decl, ts.TypeFormatFlags.NoTruncation);
    return `const ${decl.name.getText(sf)}: ${type}`;
  }
  // Interfaces and type aliases: with their member comments, they are the documentation.
  return decl.getText(sf);
}

const kindOf = (d) =>
  ts.isFunctionDeclaration(d) ? 'function' : ts.isClassDeclaration(d) ? 'class' : ts.isInterfaceDeclaration(d) ? 'interface' : ts.isTypeAliasDeclaration(d) ? 'type' : 'const';

const entrySf = program.getSourceFile(entry);
const moduleSym = checker.getSymbolAtLocation(entrySf);
const groups = new Map();
for (const exp of checker.getExportsOfModule(moduleSym)) {
  const sym = exp.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exp) : exp;
  const decl = sym.declarations?.[0];
  if (!decl) continue;
  const from = decl.getSourceFile().fileName.slice(root.length);
  const list = groups.get(from) ?? [];
  list.push({ name: exp.name, kind: kindOf(decl), text: signature(decl), doc: doc(sym) });
  groups.set(from, list);
}

const out = [
  '# SoundFlow API reference',
  '',
  'Generated from the types of `src/index.ts` by `npm run docs:api` (scripts/api-docs.mjs); do not edit.',
  "Everything here is importable from the package: `import { createEngine } from 'soundflow'`.",
  '',
];
for (const [file, list] of [...groups].sort(([a], [b]) => a.localeCompare(b))) {
  out.push(`## \`${file}\``, '');
  for (const e of list.sort((a, b) => a.name.localeCompare(b.name))) {
    out.push(`### ${e.name} (${e.kind})`, '');
    if (e.doc) out.push(e.doc, '');
    out.push('```ts', e.text, '```', '');
  }
}
const text = out.join('\n');
const target = `${root}docs/api/README.md`;
if (process.argv.includes('--check')) {
  let old = '';
  try {
    old = readFileSync(target, 'utf8');
  } catch {}
  if (old !== text) {
    console.error('docs/api/README.md is out of date: run npm run docs:api');
    process.exit(1);
  }
} else {
  mkdirSync(`${root}docs/api`, { recursive: true });
  writeFileSync(target, text);
  console.log(`wrote docs/api/README.md (${[...groups.values()].reduce((n, l) => n + l.length, 0)} exports)`);
}
