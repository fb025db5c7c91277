import * as fs from 'fs';
import { App } from 'aws-cdk-lib';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import { currentDiagrams, README, renderDiagrams } from '../../examples/diagrams';
import { buildLambdaApp } from '../../examples/lambda-app';
import { buildMultiAccountApp } from '../../examples/multi-account-app';
import { EcsContainerPipeline, EcsDeployment } from '../../src';
import { renderMermaid } from '../../src/core/diagram';
import { fargateService, githubSource, newStack } from '../helpers';

describe('DeliveryPipeline.toMermaid()', () => {
  test('GIVEN an environment with a bake WHEN rendered THEN its stage title says how long it bakes on how many alarms', () => {
    // GIVEN the Lambda example (Staging bakes 10 minutes on its errors alarm)
    const { pipeline } = buildLambdaApp(new App());

    // WHEN
    const mermaid = pipeline.toMermaid();

    // THEN
    expect(mermaid).toContain('subgraph stage2["Staging · bake 10 min on 1 alarm"]');
    expect(mermaid).toContain('subgraph stage3["Production"]');
  });

  test('GIVEN environments in another account and in another account and region WHEN rendered THEN their actions say where they run', () => {
    // GIVEN the example app of three accounts and two regions
    const { shop } = buildMultiAccountApp(new App());

    // WHEN
    const mermaid = shop.toMermaid();

    // THEN the staging deploy names its account, production's its account and region; the rest runs at home
    expect(mermaid).toContain('stage2_action0["Deploy<br/>ECS<br/>in 222222222222"]');
    expect(mermaid).toMatch(/stage3_action2\["Deploy<br\/>CodeDeployToECS · run order 3<br\/>in 333333333333 · eu-west-1"\]/);
    expect(mermaid).toContain('stage1_action0["BuildAndTest<br/>CodeBuild"]');
  });

  test('GIVEN Staging and Production WHEN rendered THEN stages are subgraphs and actions follow each other in order', () => {
    // GIVEN
    const stack = newStack();
    const pipeline = new EcsContainerPipeline(stack, 'Pipeline', {
      source: githubSource(),
      environments: [
        { name: 'Staging', deployment: EcsDeployment.rolling(fargateService(stack, 'StagingService')) },
        { name: 'Production', deployment: EcsDeployment.rolling(fargateService(stack, 'ProductionService')) },
      ],
    });

    // WHEN
    const mermaid = pipeline.toMermaid();

    // THEN
    expect(mermaid).toBe([
      'flowchart LR',
      '  subgraph stage0["Source"]',
      '    stage0_action0(["Source<br/>source: CodeStarSourceConnection"])',
      '  end',
      '  subgraph stage1["Build"]',
      '    stage1_action0["BuildAndTest<br/>CodeBuild"]',
      '  end',
      '  subgraph stage2["Staging"]',
      '    stage2_action0["Deploy<br/>ECS"]',
      '  end',
      '  subgraph stage3["Production"]',
      '    stage3_action0{{"Approve<br/>manual approval · run order 1"}}',
      '    stage3_action1["Deploy<br/>ECS · run order 2"]',
      '  end',
      '  stage0_action0 --> stage1_action0',
      '  stage1_action0 --> stage2_action0',
      '  stage2_action0 --> stage3_action0',
      '  stage3_action0 --> stage3_action1',
      '',
    ].join('\n'));
  });

  test('GIVEN actions added through the escape hatch THEN they are drawn, parallel ones without an edge between them', () => {
    // GIVEN a pipeline with a stage of two parallel checks, then a final action
    const stack = newStack();
    const pipeline = new EcsContainerPipeline(stack, 'Pipeline', {
      source: githubSource(),
      environments: [{ name: 'Staging', deployment: EcsDeployment.rolling(fargateService(stack, 'StagingService')) }],
    });
    pipeline.pipeline.addStage({
      stageName: 'Checks',
      actions: [
        new actions.ManualApprovalAction({ actionName: 'Ux', runOrder: 1 }),
        new actions.ManualApprovalAction({ actionName: 'Security', runOrder: 1 }),
        new actions.ManualApprovalAction({ actionName: 'SignOff', runOrder: 2 }),
      ],
    });

    // WHEN
    const lines = pipeline.toMermaid().split('\n');

    // THEN the two parallel checks each follow the deploy and lead to the sign-off
    expect(lines).toEqual(expect.arrayContaining([
      '  subgraph stage3["Checks"]',
      '    stage3_action0{{"Ux<br/>manual approval · run order 1"}}',
      '    stage3_action1{{"Security<br/>manual approval · run order 1"}}',
      '    stage3_action2{{"SignOff<br/>manual approval · run order 2"}}',
      '  stage2_action0 --> stage3_action0',
      '  stage2_action0 --> stage3_action1',
      '  stage3_action0 --> stage3_action2',
      '  stage3_action1 --> stage3_action2',
    ]));
    expect(lines).not.toContain('  stage3_action0 --> stage3_action1');
  });

  test('GIVEN names with Mermaid syntax THEN they are escaped inside the quoted labels', () => {
    // GIVEN a stage as another tool might name it (CodePipeline itself allows fewer characters)
    const stage = {
      stageName: 'Deploy "blue" <b>',
      actions: [{ actionProperties: { actionName: 'A & B', category: codepipeline.ActionCategory.DEPLOY, provider: 'S3', runOrder: 1 } }],
    } as unknown as codepipeline.IStage;

    // WHEN
    const mermaid = renderMermaid([stage]);

    // THEN
    expect(mermaid).toContain('subgraph stage0["Deploy #quot;blue#quot; #lt;b#gt;"]');
    expect(mermaid).toContain('stage0_action0["A #amp; B<br/>S3"]');
  });
});

describe('README.md pipeline diagrams', () => {
  test('THEN they are the ones the example apps render now', () => {
    const readme = fs.readFileSync(README, 'utf8');
    const current = currentDiagrams(readme);
    if (current === undefined) {
      throw new Error('README.md has no <!-- diagrams:start --> / <!-- diagrams:end --> markers: add them to the "Pipeline diagrams" section');
    }
    if (current !== renderDiagrams()) {
      throw new Error('README.md pipeline diagrams are out of date: run `npx projen diagrams` and commit README.md');
    }
  });
});
