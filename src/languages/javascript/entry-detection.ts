/**
 * Decides how JavaScript runs, with a parser rather than a regex:
 * - sourceType: a classic script unless the code needs module syntax (import/export, top-level await);
 *   scripts keep sloppy-mode semantics that snippets rely on (assigning undeclared variables).
 * - defines main: a top-level `function main`, `const/let/var main = ...`, an exported main, or a CommonJS
 *   `module.exports = { main }` / `exports.main = ...`.
 * - calls main: any call `main(...)` outside main's own body; then the code is a script that runs itself.
 * Portable: acorn is pure JavaScript.
 */
import { parse, type Node } from 'acorn';

export interface EntryAnalysis {
  sourceType: 'script' | 'module';
  definesMain: boolean;
  /** main is exported (`export function main`, `export { main }`), so a module's namespace has it. */
  exportsMain: boolean;
  callsMain: boolean;
  /** Set when neither grammar parses: the interpreter will report the syntax error itself. */
  syntaxError?: string;
}

type AnyNode = Node & Record<string, unknown>;

/** `entry`: the function the lane calls, `main` (or `execute` for a batch of items). */
export function analyzeEntry(code: string, entry = 'main'): EntryAnalysis {
  let program: AnyNode;
  let sourceType: 'script' | 'module' = 'script';
  try {
    program = parse(code, { ecmaVersion: 'latest', sourceType: 'script', allowHashBang: true, allowReturnOutsideFunction: false }) as unknown as AnyNode;
  } catch {
    try {
      program = parse(code, { ecmaVersion: 'latest', sourceType: 'module', allowHashBang: true, allowAwaitOutsideFunction: true }) as unknown as AnyNode;
      sourceType = 'module';
    } catch (error) {
      return { sourceType: 'script', definesMain: false, exportsMain: false, callsMain: false, syntaxError: (error as Error).message };
    }
  }
  const body = (program['body'] as AnyNode[]) ?? [];
  let definesMain = false;
  let exportsMain = false;
  const mainBodies = new Set<AnyNode>();
  for (const statement of body) {
    const exported = statement.type === 'ExportNamedDeclaration' || statement.type === 'ExportDefaultDeclaration';
    const declaration = exported ? (statement['declaration'] as AnyNode | null) : statement;
    if (!declaration) {
      if (statement.type === 'ExportNamedDeclaration') {
        const specifiers = (statement['specifiers'] as AnyNode[]) ?? [];
        if (specifiers.some((s) => nameOf(s['exported'] as AnyNode) === entry)) definesMain = exportsMain = true;
      }
      continue;
    }
    if (declaration.type === 'FunctionDeclaration' && nameOf(declaration['id'] as AnyNode | null) === entry) {
      definesMain = true;
      exportsMain ||= statement.type === 'ExportNamedDeclaration';
      mainBodies.add(declaration);
    } else if (declaration.type === 'VariableDeclaration') {
      for (const declarator of declaration['declarations'] as AnyNode[]) {
        if (nameOf(declarator['id'] as AnyNode) === entry) {
          definesMain = true;
          exportsMain ||= exported;
          if (declarator['init']) mainBodies.add(declarator['init'] as AnyNode);
        }
      }
    } else if (declaration.type === 'ExpressionStatement' && assignsCommonJsMain(declaration['expression'] as AnyNode, entry)) {
      definesMain = true;
    }
  }
  return { sourceType, definesMain, exportsMain, callsMain: containsCallToMain(program, mainBodies, entry) };
}

function nameOf(node: AnyNode | null | undefined): string | undefined {
  if (!node) return undefined;
  if (node.type === 'Identifier') return node['name'] as string;
  if (node.type === 'Literal') return String(node['value']);
  return undefined;
}

/** `module.exports = { main }`, `module.exports.main = ...`, `exports.main = ...`. */
function assignsCommonJsMain(expression: AnyNode, entry: string): boolean {
  if (expression.type !== 'AssignmentExpression') return false;
  const left = expression['left'] as AnyNode;
  const right = expression['right'] as AnyNode;
  const target = memberPath(left);
  if (target === `module.exports.${entry}` || target === `exports.${entry}`) return true;
  if (target === 'module.exports' && right.type === 'ObjectExpression') {
    return (right['properties'] as AnyNode[]).some((p) => p.type === 'Property' && nameOf(p['key'] as AnyNode) === entry);
  }
  return false;
}

function memberPath(node: AnyNode): string | undefined {
  if (node.type === 'Identifier') return node['name'] as string;
  if (node.type === 'MemberExpression' && !node['computed']) {
    const object = memberPath(node['object'] as AnyNode);
    const property = nameOf(node['property'] as AnyNode);
    return object && property ? `${object}.${property}` : undefined;
  }
  return undefined;
}

function containsCallToMain(root: AnyNode, skip: Set<AnyNode>, entry: string): boolean {
  const stack: AnyNode[] = [root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (skip.has(node)) continue;
    if (node.type === 'CallExpression' || node.type === 'NewExpression') {
      const callee = node['callee'] as AnyNode;
      if (nameOf(callee) === entry && callee.type === 'Identifier') return true;
    }
    for (const key in node) {
      const value = node[key];
      if (Array.isArray(value)) {
        for (const child of value) if (isNode(child)) stack.push(child);
      } else if (isNode(value)) stack.push(value);
    }
  }
  return false;
}

function isNode(value: unknown): value is AnyNode {
  return typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string';
}
