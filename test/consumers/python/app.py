#!/usr/bin/env python3
"""A real Python CDK app that uses the cdk-delivery-pipelines wheel.

It synthesizes two stacks with the same construct ids and props as ../reference.ts:

* ConsumerEcsPipeline: VPC, cluster, Staging and Production Fargate services, and an
  EcsContainerPipeline (Source -> Build -> Staging -> approval -> Production);
* ConsumerEcsPipelineOverride: the same, with a Python subclass of EcsContainerPipeline that
  overrides the protected hook renderBuildSpec (``_render_build_spec`` in Python).

The cloud assembly is written to the directory given as the first argument, or
$CONSUMER_OUTDIR, or ./cdk.out. The program then checks that the override took effect and
exits non-zero otherwise; ../compare.ts compares the templates with the TypeScript reference.
"""
import json
import os
import sys

import aws_cdk as cdk
from aws_cdk import aws_codebuild as codebuild
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecs as ecs

from cdk_delivery_pipelines import (
    ApprovalOptions,
    BuildOptions,
    EcsContainerPipeline,
    EcsDeployment,
    EcsEnvironment,
    NotificationOptions,
    PipelineSource,
)

ENV = cdk.Environment(account="111111111111", region="us-east-1")
CONNECTION_ARN = "arn:aws:codeconnections:us-east-1:111111111111:connection/11111111-2222-3333-4444-555555555555"
BASE_STACK = "ConsumerEcsPipeline"
OVERRIDE_STACK = "ConsumerEcsPipelineOverride"
MARKER = "echo overridden-in-python"


class MarkedBuildSpecPipeline(EcsContainerPipeline):
    """A consumer's subclass: its own buildspec, keeping the user's install commands.

    jsii maps TypeScript's protected members to underscore names: the hook renderBuildSpec is
    ``_render_build_spec`` and the protected property buildOptions is ``_build_options``.
    """

    def _render_build_spec(self) -> codebuild.BuildSpec:
        return codebuild.BuildSpec.from_object({
            "version": "0.2",
            "phases": {
                "install": {"commands": list(self._build_options.install_commands or [])},
                "build": {
                    "commands": [
                        MARKER,
                        'printf \'[{"name":"web","imageUri":"%s"}]\' "$REPOSITORY_URI:$SOURCE_REVISION" > imagedefinitions.json',
                    ],
                },
            },
            "artifacts": {"files": ["imagedefinitions.json"]},
        })


def web_service(stack: cdk.Stack, name: str, cluster: ecs.ICluster) -> ecs.FargateService:
    task_definition = ecs.FargateTaskDefinition(stack, f"{name}Task", cpu=256, memory_limit_mib=512)
    task_definition.add_container(
        "web",
        image=ecs.ContainerImage.from_registry("public.ecr.aws/docker/library/nginx:1.27"),
        essential=True,
        port_mappings=[ecs.PortMapping(container_port=80)],
    )
    return ecs.FargateService(
        stack, f"{name}Service",
        cluster=cluster,
        task_definition=task_definition,
        desired_count=1,
        min_healthy_percent=100,
        max_healthy_percent=200,
        assign_public_ip=True,
        circuit_breaker=ecs.DeploymentCircuitBreaker(enable=True, rollback=True),
    )


def pipeline_stack(app: cdk.App, stack_id: str, pipeline_class: type) -> cdk.Stack:
    stack = cdk.Stack(app, stack_id, env=ENV)
    vpc = ec2.Vpc(
        stack, "Vpc",
        availability_zones=["us-east-1a", "us-east-1b"],
        nat_gateways=0,
        subnet_configuration=[ec2.SubnetConfiguration(name="public", subnet_type=ec2.SubnetType.PUBLIC, cidr_mask=24)],
    )
    cluster = ecs.Cluster(stack, "Cluster", vpc=vpc)
    staging = web_service(stack, "Staging", cluster)
    production = web_service(stack, "Production", cluster)

    pipeline_class(
        stack, "Pipeline",
        # jsii flattens a struct parameter into keyword arguments in Python.
        source=PipelineSource.connection(connection_arn=CONNECTION_ARN, owner="acme", repo="shop", branch="main"),
        build_options=BuildOptions(
            install_commands=["npm ci"],
            test_commands=["npm test"],
            environment_variables={"NODE_ENV": "production"},
            timeout=cdk.Duration.minutes(30),
        ),
        environments=[
            EcsEnvironment(name="Staging", deployment=EcsDeployment.rolling(staging)),
            EcsEnvironment(
                name="Production",
                deployment=EcsDeployment.rolling(production, deployment_timeout=cdk.Duration.minutes(30)),
                approval=ApprovalOptions(notify_emails=["ops@acme.example"], timeout=cdk.Duration.hours(24)),
            ),
        ],
        notifications=NotificationOptions(emails=["team@acme.example"]),
    )
    return stack


def build_spec_of(template: dict) -> str:
    projects = [r for r in template["Resources"].values() if r["Type"] == "AWS::CodeBuild::Project"]
    if len(projects) != 1:
        raise AssertionError(f"expected one CodeBuild project, found {len(projects)}")
    return json.dumps(projects[0]["Properties"]["Source"]["BuildSpec"])


def main() -> int:
    outdir = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.environ.get("CONSUMER_OUTDIR", "cdk.out"))
    app = cdk.App(outdir=outdir)
    pipeline_stack(app, BASE_STACK, EcsContainerPipeline)
    pipeline_stack(app, OVERRIDE_STACK, MarkedBuildSpecPipeline)
    assembly = app.synth()

    base = build_spec_of(assembly.get_stack_by_name(BASE_STACK).template)
    override = build_spec_of(assembly.get_stack_by_name(OVERRIDE_STACK).template)
    failures = []
    if MARKER not in override:
        failures.append(
            f"{OVERRIDE_STACK}: the buildspec lacks {MARKER!r}: the Python override did not run "
            "(a known cause: jsii registers a subclass's overrides only after the JavaScript "
            "constructor returns, so a hook the library calls from its constructor never reaches Python)")
    if "docker build" in override:
        failures.append(f"{OVERRIDE_STACK}: the buildspec still has the library's docker build")
    if MARKER in base or "docker build" not in base:
        failures.append(f"{BASE_STACK}: the buildspec is not the library's default")
    for failure in failures:
        print(f"FAIL {failure}", file=sys.stderr)
    if failures:
        return 1
    print(f"python app: synthesized {BASE_STACK} and {OVERRIDE_STACK} to {outdir}; override marker present")
    return 0


if __name__ == "__main__":
    sys.exit(main())
