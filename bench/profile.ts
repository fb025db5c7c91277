import * as fs from 'fs';
import { sep } from 'path';
import { pathToFileURL } from 'url';

/** Where the sampled CPU time of one benchmark child went. */
export interface TimeBreakdown {
  /** Category → milliseconds, in the order of `CATEGORIES`. */
  readonly ms: Record<string, number>;
  readonly totalMs: number;
  /** Inclusive milliseconds of a few functions worth watching (`WATCHED`). */
  readonly inclusive: Record<string, number>;
  /**
   * Self time of the library's own code: samples whose leaf frame is in its files (aws-cdk-lib
   * work it calls is not counted, unlike the categories above). Absent in older stored runs.
   */
  readonly librarySelfMs?: number;
}

/** Functions whose inclusive time the report names: label → how to recognise the frame. */
export const WATCHED: Record<string, { readonly fn: string; readonly url?: RegExp; readonly under?: string }> = {
  aspectPass: { fn: 'invokeAspectsV2', url: /aws-cdk-lib/ },
  deferredStages: { fn: 'ensureStages', url: /[\\/]src[\\/]/ },
  // The validation `acknowledgeReviewedWildcards` adds (the review once lived in core/nag.ts).
  nagPass: { fn: 'validate', url: /[\\/]src[\\/]core[\\/]wildcard-review\.js$/ },
  nagFindAll: { fn: 'findAll', under: 'nagPass' },
  prepare: { fn: 'prepareApp', url: /aws-cdk-lib/ },
  synthesizeTree: { fn: 'synthesizeTree', url: /aws-cdk-lib/ },
};

/** The categories, in report order. */
export const CATEGORIES = [
  'pipeline code: constructors (incl. the aws-cdk-lib constructs they create)',
  'pipeline code: stages added at synthesis (aspect)',
  'pipeline code: validations and lazy values at synthesis',
  'workload code (fixtures)',
  'aws-cdk-lib: aspects and prepare (reference resolution)',
  'aws-cdk-lib: validations',
  'aws-cdk-lib: template synthesis (token resolution, rendering, writing)',
  'aws-cdk-lib: other synthesis steps',
  'garbage collection',
  'module loading (before the clock starts)',
  'other',
] as const;

/** aws-cdk-lib's synthesis phases, by the function that runs them. */
const PHASES = new Map<string, 'aspects' | 'prepare' | 'validate' | 'synth'>([
  ['invokeAspects', 'aspects'],
  ['invokeAspectsV2', 'aspects'],
  ['prepareApp', 'prepare'],
  ['validateTree', 'validate'],
  ['synthesizeTree', 'synth'],
]);

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string };
  readonly children?: number[];
}

/**
 * Attribute every sample of a V8 `.cpuprofile` to one category, by the outermost frame that
 * decides it: pipeline code (library `src/` or `bench/hand-written/`) wins over the
 * aws-cdk-lib phase it runs in, so a library validation that resolves tokens counts as the
 * library's.
 */
export function breakdown(profileFile: string, libraryDir: string): TimeBreakdown {
  const libraryUrl = pathToFileURL(libraryDir + sep).href;
  const profile = JSON.parse(fs.readFileSync(profileFile, 'utf8')) as { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) {
    for (const c of n.children ?? []) {
      parent.set(c, n.id);
    }
  }
  const memo = new Map<number, string>();
  const categorize = (leaf: number): string => {
    const cached = memo.get(leaf);
    if (cached) {
      return cached;
    }
    const path: ProfileNode[] = [];
    for (let id: number | undefined = leaf; id !== undefined; id = parent.get(id)) {
      path.push(nodes.get(id)!);
    }
    path.reverse();
    const name = path[path.length - 1].callFrame.functionName;
    // The child runs `main()` while node loads bench/child.js: everything outside it (and the
    // modules `main` loads before the clock starts) is module loading.
    const start = path.findIndex((n) => n.callFrame.functionName === 'main' && /[\\/]bench[\\/]child\.js$/.test(n.callFrame.url));
    let category: string = CATEGORIES[10];
    if (name === '(garbage collector)') {
      category = CATEGORIES[8];
    } else if (start < 0) {
      category = path.some((n) => /^node:internal\/modules/.test(n.callFrame.url)) ? CATEGORIES[9] : CATEGORIES[10];
    } else {
      let phase: 'aspects' | 'prepare' | 'validate' | 'synth' | 'other' | undefined;
      let decided = false;
      for (const node of path.slice(start + 1)) {
        const { url, functionName } = node.callFrame;
        if (/aws-cdk-lib/.test(url)) {
          phase = PHASES.get(functionName) ?? (functionName === 'synth' && !phase ? 'other' : phase);
        }
        if (/[\\/]src[\\/]/.test(url) || /[\\/]bench[\\/]hand-written[\\/]/.test(url)) {
          category = !phase ? CATEGORIES[0] : phase === 'aspects' ? CATEGORIES[1] : CATEGORIES[2];
          decided = true;
          break;
        }
        if (/[\\/]bench[\\/]fixtures[\\/]/.test(url)) {
          category = CATEGORIES[3];
          decided = true;
          break;
        }
        if (/^node:internal\/modules/.test(url) && !phase) {
          category = CATEGORIES[9];
          decided = true;
          break;
        }
      }
      if (!decided && phase) {
        category = { aspects: CATEGORIES[4], prepare: CATEGORIES[4], validate: CATEGORIES[5], synth: CATEGORIES[6], other: CATEGORIES[7] }[phase];
      }
    }
    memo.set(leaf, category);
    return category;
  };
  const matches = (node: ProfileNode, key: string) => {
    const w = WATCHED[key];
    return node.callFrame.functionName === w.fn && (!w.url || w.url.test(node.callFrame.url));
  };
  const watchedMemo = new Map<number, string[]>();
  const watchedIn = (leaf: number): string[] => {
    const cached = watchedMemo.get(leaf);
    if (cached) {
      return cached;
    }
    const found = new Set<string>();
    const path: ProfileNode[] = [];
    for (let id: number | undefined = leaf; id !== undefined; id = parent.get(id)) {
      path.push(nodes.get(id)!);
    }
    path.reverse();
    path.forEach((node, i) => {
      for (const key of Object.keys(WATCHED)) {
        const under = WATCHED[key].under;
        if (matches(node, key) && (!under || path.slice(0, i).some((n) => matches(n, under)))) {
          found.add(key);
        }
      }
    });
    watchedMemo.set(leaf, [...found]);
    return [...found];
  };
  const ms: Record<string, number> = Object.fromEntries(CATEGORIES.map((c) => [c, 0]));
  const inclusive: Record<string, number> = Object.fromEntries(Object.keys(WATCHED).map((k) => [k, 0]));
  let total = 0;
  let librarySelf = 0;
  profile.samples.forEach((sample, i) => {
    const t = (profile.timeDeltas[i] ?? 0) / 1000;
    const url = nodes.get(sample)!.callFrame.url;
    // V8 names CommonJS files by path or by file: URL, depending on the Node.js version.
    if (url.startsWith(libraryUrl) || url.startsWith(libraryDir + sep)) {
      librarySelf += t;
    }
    ms[categorize(sample)] += t;
    for (const key of watchedIn(sample)) {
      inclusive[key] += t;
    }
    total += t;
  });
  return { ms, totalMs: total, inclusive, librarySelfMs: librarySelf };
}
