import * as api from '../../src';

test('GIVEN the package root THEN every runtime export is a class or an enum (no TypeScript-only helper functions or constants)', () => {
  const isClass = (v: unknown) => typeof v === 'function' && /^class\b/.test(Function.prototype.toString.call(v));
  const isEnum = (v: unknown) => typeof v === 'object' && v !== null && Object.values(v).every((x) => typeof x === 'string' || typeof x === 'number');
  const others = Object.entries(api).filter(([, v]) => !isClass(v) && !isEnum(v)).map(([name]) => name);
  expect(others).toEqual([]);
  expect(Object.keys(api)).toEqual(expect.arrayContaining(['EcsContainerPipeline', 'LambdaPipeline', 'StaticSitePipeline', 'DeliveryPipeline']));
});
