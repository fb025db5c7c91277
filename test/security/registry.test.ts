/**
 * The security gates iterate over examples/registry.ts. These tests make sure nothing can skip
 * them: every example app file is registered, and every pipeline construct the library exports
 * is used by at least one registered example.
 */
import * as fs from 'fs';
import * as path from 'path';
import { synthesizedExamples } from './support';
import { EXAMPLES } from '../../examples/registry';
import * as lib from '../../src';
import { DeliveryPipeline } from '../../src';

const ROOT = path.resolve(__dirname, '..', '..');

describe('the example registry', () => {
  test('GIVEN the examples folder THEN every examples/*-app.ts is registered, and every entry exists', () => {
    const files = fs.readdirSync(path.join(ROOT, 'examples')).filter((f) => f.endsWith('-app.ts')).map((f) => `examples/${f}`).sort();
    const entries = EXAMPLES.map((e) => e.entry).sort();
    expect(entries).toEqual(files);
  });

  test('THEN names are unique (each is an output directory)', () => {
    const names = EXAMPLES.map((e) => e.name);
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) {
      expect(name).toMatch(/^[a-z0-9-]+$/);
    }
  });

  test('GIVEN every pipeline construct the library exports THEN a registered example uses it', () => {
    const pipelineClasses = Object.entries(lib)
      .filter(([, value]) => typeof value === 'function' && value.prototype instanceof DeliveryPipeline)
      .sort(([a], [b]) => a.localeCompare(b)) as Array<[string, abstract new (...args: any[]) => DeliveryPipeline]>;
    // The spine is abstract; the workload constructs are what users instantiate.
    expect(pipelineClasses.map(([name]) => name)).toEqual(expect.arrayContaining(['EcsContainerPipeline', 'LambdaPipeline']));
    const pipelines = synthesizedExamples().flatMap((ex) => ex.pipelines);
    expect(pipelineClasses.filter(([, cls]) => !pipelines.some((p) => p instanceof cls)).map(([name]) => name)).toEqual([]);
  });
});
