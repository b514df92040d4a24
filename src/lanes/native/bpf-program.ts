/**
 * A tiny assembler for classic BPF as seccomp runs it: loads of 32-bit words of struct seccomp_data,
 * equality and range jumps to named labels, and returns. Jump offsets are computed here, so a policy in
 * seccomp-filter.ts reads as a list of decisions rather than hand-counted offsets (and an offset that
 * would not fit the 8-bit jump fields throws instead of wrapping into a different program).
 *
 * Portable: builds bytes.
 */

const BPF_LD_W_ABS = 0x20;
const BPF_JEQ_K = 0x15;
const BPF_JGE_K = 0x35;
const BPF_JMP_JA = 0x05;
const BPF_RET_K = 0x06;

export type Label = string;

type Instruction =
  | { op: 'load'; offset: number }
  | { op: 'jeq' | 'jge'; value: number; then: Label | null; else: Label | null }
  | { op: 'jump'; to: Label }
  | { op: 'return'; value: number }
  | { op: 'label'; name: Label };

export class BpfProgram {
  private readonly code: Instruction[] = [];

  /** A = the 32-bit word at `offset` of struct seccomp_data. */
  load(offset: number): this {
    this.code.push({ op: 'load', offset });
    return this;
  }

  /** If A == value go to `then`, else to `otherwise` (null: fall through to the next instruction). */
  ifEqual(value: number, then: Label | null, otherwise: Label | null = null): this {
    this.code.push({ op: 'jeq', value, then, else: otherwise });
    return this;
  }

  /** If A >= value (unsigned) go to `then`, else to `otherwise` (null: fall through). */
  ifAtLeast(value: number, then: Label | null, otherwise: Label | null = null): this {
    this.code.push({ op: 'jge', value, then, else: otherwise });
    return this;
  }

  jump(to: Label): this {
    this.code.push({ op: 'jump', to });
    return this;
  }

  ret(value: number): this {
    this.code.push({ op: 'return', value });
    return this;
  }

  label(name: Label): this {
    this.code.push({ op: 'label', name });
    return this;
  }

  /** The program as an array of struct sock_filter (what bwrap --seccomp reads). */
  bytes(): Uint8Array {
    const at = new Map<Label, number>();
    let index = 0;
    for (const instruction of this.code) {
      if (instruction.op === 'label') {
        if (at.has(instruction.name)) throw new Error(`BPF label defined twice: ${instruction.name}`);
        at.set(instruction.name, index);
      } else index++;
    }
    const offset = (from: number, label: Label | null, limit: number): number => {
      if (label === null) return 0;
      const target = at.get(label);
      if (target === undefined) throw new Error(`BPF label not defined: ${label}`);
      const distance = target - from - 1;
      if (distance < 0 || distance > limit) throw new Error(`BPF jump to ${label} out of range (${distance})`);
      return distance;
    };
    const words: [number, number, number, number][] = [];
    for (const instruction of this.code) {
      const here = words.length;
      switch (instruction.op) {
        case 'label':
          break;
        case 'load':
          words.push([BPF_LD_W_ABS, 0, 0, instruction.offset]);
          break;
        case 'jeq':
        case 'jge':
          words.push([
            instruction.op === 'jeq' ? BPF_JEQ_K : BPF_JGE_K,
            offset(here, instruction.then, 255),
            offset(here, instruction.else, 255),
            instruction.value >>> 0,
          ]);
          break;
        case 'jump':
          words.push([BPF_JMP_JA, 0, 0, offset(here, instruction.to, 0xffffffff)]);
          break;
        case 'return':
          words.push([BPF_RET_K, 0, 0, instruction.value >>> 0]);
          break;
      }
    }
    const bytes = new Uint8Array(words.length * 8);
    const view = new DataView(bytes.buffer);
    words.forEach(([code, jt, jf, k], i) => {
      view.setUint16(i * 8, code, true);
      view.setUint8(i * 8 + 2, jt);
      view.setUint8(i * 8 + 3, jf);
      view.setUint32(i * 8 + 4, k, true);
    });
    return bytes;
  }
}
