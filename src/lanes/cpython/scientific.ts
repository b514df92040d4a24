/**
 * Which code the CPython lane runs on its scientific image (numpy and pandas already imported, see
 * driver.ts), and so which worker it would rather go to. Portable: read by the driver and the descriptor.
 */
export const SCIENTIFIC_MODULES = ['numpy', 'pandas'];

const IMPORTS_SCIENTIFIC = /\b(?:import|from)\s+(?:numpy|pandas)\b/;

export function importsScientific(code: string): boolean {
  return IMPORTS_SCIENTIFIC.test(code);
}
