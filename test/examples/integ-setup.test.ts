import { App } from 'aws-cdk-lib';
import { CONNECTION_ARN } from '../../examples/support';
import { INTEG_PARAMETERS, integConnectionArn, integEnv, integParameter } from '../integ-setup';

describe('test/integ-setup.ts (parameters of the integration tests)', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });
  function withEnv(vars: Record<string, string | undefined>) {
    for (const [name, value] of Object.entries(vars)) {
      if (value === undefined) delete process.env[name]; else process.env[name] = value;
    }
  }

  test('GIVEN context and variable THEN the context wins; GIVEN an empty variable THEN the default applies', () => {
    withEnv({ INTEG_BRANCH: 'develop' });
    expect(integParameter(new App({ context: { branch: 'release' } }), INTEG_PARAMETERS.branch)).toBe('release');
    expect(integParameter(new App(), INTEG_PARAMETERS.branch)).toBe('develop');
    withEnv({ INTEG_BRANCH: '' });
    expect(integParameter(new App(), INTEG_PARAMETERS.branch)).toBe('main');
  });

  test('GIVEN integ-runner\'s snapshot environment THEN the stacks use it and the connection is the examples\' placeholder', () => {
    withEnv({ CDK_INTEG_ACCOUNT: '12345678', CDK_INTEG_REGION: 'test-region', CDK_DEFAULT_ACCOUNT: '999999999999', INTEG_CONNECTION_ARN: '' });
    expect(integEnv()).toEqual({ account: '12345678', region: 'test-region' });
    expect(integConnectionArn(new App())).toBe(CONNECTION_ARN);
  });

  test('GIVEN a deployment (the CLI\'s default account and region) THEN the placeholder connection is in that account and region', () => {
    withEnv({ CDK_INTEG_ACCOUNT: undefined, CDK_INTEG_REGION: undefined, CDK_DEFAULT_ACCOUNT: '123456789012', CDK_DEFAULT_REGION: 'eu-west-1', INTEG_CONNECTION_ARN: undefined });
    expect(integEnv()).toEqual({ account: '123456789012', region: 'eu-west-1' });
    expect(integConnectionArn(new App())).toBe('arn:aws:codeconnections:eu-west-1:123456789012:connection/00000000-0000-0000-0000-000000000000');
    withEnv({ INTEG_CONNECTION_ARN: 'arn:aws:codestar-connections:eu-west-1:123456789012:connection/mine' });
    expect(integConnectionArn(new App())).toBe('arn:aws:codestar-connections:eu-west-1:123456789012:connection/mine');
  });
});
