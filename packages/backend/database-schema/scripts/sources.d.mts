export const BUILD_INFO: string;
export function sourceHashes(dir: string): Record<string, string>;
