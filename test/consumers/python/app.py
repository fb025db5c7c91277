#!/usr/bin/env python3
"""A real Python CDK app that uses the cdk-delivery-pipelines wheel.

It synthesizes five stacks with the same construct ids and props as ../reference.ts:

* ConsumerEcsPipeline: VPC, cluster, Staging and Production Fargate services, and an
  EcsContainerPipeline (Source -> Build -> Staging -> approval -> Production);
* ConsumerEcsPipelineOverride: the same, with a Python subclass of EcsContainerPipeline that
  overrides the protected hook renderBuildSpec (``_render_build_spec`` in Python);
* ConsumerLambdaPipeline: Staging and Production functions, each with a ``live`` alias, and a
  LambdaPipeline (Staging all at once -> approval -> Production canary);
* ConsumerLambdaPipelineOverride: the same, with a Python subclass of LambdaPipeline that
  overrides the protected hooks createTestAction (``_create_test_action``: Staging's post-deploy
  tests through ``super()``, Production a test action of its own) and createDeployAction
  (``_create_deploy_action``): Staging keeps the
  library's action through ``super()``, Production gets an action named for Python; and that
  extends the generated buildspec (``_render_build_spec_object``: one more post-build command);
* ConsumerStaticSitePipeline: Staging and Production StaticSiteHosting sites and a
  StaticSitePipeline (Staging -> approval -> Production with a post-deploy check).

The cloud assembly is written to the directory given as the first argument, or
$CONSUMER_OUTDIR, or ./cdk.out. The program then checks that the overrides took effect and
exits non-zero otherwise; ../compare.ts compares the templates with the TypeScript reference.

It also provokes errors in an app of its own (never synthesized to the output directory): a
library error (an environment named "Source"), which DeliveryPipelineErrors must recognise from
its message (``str(e)``: a Python exception cannot be passed to the library), an unrelated
aws-cdk-lib error, which it must not, and a Python override of createDeployAction that raises,
whose error must name the hook.
"""
import json
import os
import sys
import typing

import aws_cdk as cdk
import jsii
from aws_cdk import aws_autoscaling as autoscaling
from aws_cdk import aws_codebuild as codebuild
from aws_cdk import aws_codedeploy as codedeploy
from aws_cdk import aws_codepipeline as codepipeline
from aws_cdk import aws_codepipeline_actions as codepipeline_actions
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs

from cdk_delivery_pipelines import (
    AppSpecFile,
    AppSpecOptions,
    ApprovalOptions,
    LifecycleHooks,
    LifecycleScript,
    ServerDeployment,
    ServerEnvironment,
    ServerLoadBalancer,
    ServerPipeline,
    BuildOptions,
    CodeBuildDefaults,
    DeliveryPipelineErrors,
    EcsContainerPipeline,
    EcsDeployment,
    EcsEnvironment,
    EnvironmentOptions,
    LambdaDeployAction,
    LambdaDeployment,
    LambdaEnvironment,
    LambdaPipeline,
    NotificationOptions,
    PipelineSource,
    PostDeployCheckOptions,
    PostDeployTestOptions,
    StaticSiteEnvironment,
    StaticSiteHosting,
    StaticSitePipeline,
    StaticSiteTarget,
)

ENV = cdk.Environment(account="111111111111", region="us-east-1")
CONNECTION_ARN = "arn:aws:codeconnections:us-east-1:111111111111:connection/11111111-2222-3333-4444-555555555555"
BASE_STACK = "ConsumerEcsPipeline"
OVERRIDE_STACK = "ConsumerEcsPipelineOverride"
MARKER = "echo overridden-in-python"
LAMBDA_STACK = "ConsumerLambdaPipeline"
LAMBDA_OVERRIDE_STACK = "ConsumerLambdaPipelineOverride"
STATIC_SITE_STACK = "ConsumerStaticSitePipeline"
SERVER_STACK = "ConsumerServerPipeline"
CROSS_ACCOUNT_TOOLS = "ConsumerCrossAccountTools"
CROSS_ACCOUNT_STAGING = "ConsumerCrossAccountStaging"
CROSS_ACCOUNT_PRODUCTION = "ConsumerCrossAccountProduction"
STAGING_ENV = cdk.Environment(account="222222222222", region="us-east-1")
PRODUCTION_ENV = cdk.Environment(account="333333333333", region="eu-west-1")
DEPLOY_ACTION_MARKER = "Deploy-overridden-in-python"
TEST_ACTION_MARKER = "Tests-overridden-in-python"
EXTENDED_BUILD_SPEC_COMMAND = "echo extended-in-python"
HOOK_ERROR = "boom-in-python"


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


class MarkedDeployActionPipeline(LambdaPipeline):
    """A consumer's subclass: Staging keeps the library's deploy action, Production gets its own.

    The hook createDeployAction is ``_create_deploy_action``; jsii flattens its struct parameter
    (a LambdaEnvironment) into keyword arguments, so the override takes them as keywords too.
    The jsii runtime passes only the fields the override names, so it names every field of
    LambdaEnvironment, or ``super()`` would get the environment without them.
    """

    def _render_build_spec_object(self) -> typing.Mapping[str, typing.Any]:
        # The parent's buildspec (the user's commands and the library's own steps) as a dict:
        # append a post-build command, creating the phase (absent when it has no commands).
        spec = super()._render_build_spec_object()
        spec["phases"].setdefault("post_build", {"commands": []})["commands"].append(EXTENDED_BUILD_SPEC_COMMAND)
        return spec

    def _create_deploy_action(
        self,
        *,
        deployment: LambdaDeployment,
        name: str,
        approval: typing.Optional[ApprovalOptions] = None,
        require_approval: typing.Optional[bool] = None,
    ) -> codepipeline.IAction:
        if name != "Production":
            return super()._create_deploy_action(
                deployment=deployment, name=name, approval=approval, require_approval=require_approval)
        return LambdaDeployAction(
            action_name=DEPLOY_ACTION_MARKER,
            input=self.build_output,
            deployment=deployment,
            run_order=2,
        )

    def _create_test_action(self, environment: EnvironmentOptions, run_order: jsii.Number) -> typing.Optional[codepipeline.IAction]:
        # createTestAction's struct is not its last parameter, so jsii passes it as a struct.
        if environment.name != "Production":
            return super()._create_test_action(environment, run_order)
        return codepipeline_actions.ManualApprovalAction(action_name=TEST_ACTION_MARKER, run_order=run_order)


class RecordingServerPipeline(ServerPipeline):
    """A consumer's subclass of ServerPipeline: createDeployAction records the environment and
    returns the library's action through ``super()`` (the template stays the library's)."""

    calls: typing.List[str] = []

    def _create_deploy_action(self, *, deployment: ServerDeployment, name: str, **kwargs: typing.Any) -> codepipeline.IAction:
        RecordingServerPipeline.calls.append(name)
        return super()._create_deploy_action(deployment=deployment, name=name, **kwargs)


class FailingDeployActionPipeline(LambdaPipeline):
    """A consumer's subclass whose createDeployAction raises: the error must name the hook."""

    def _create_deploy_action(self, *, deployment: LambdaDeployment, name: str, **_: typing.Any) -> codepipeline.IAction:
        raise ValueError(HOOK_ERROR)


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
                approval=ApprovalOptions(emails=["ops@acme.example"], timeout=cdk.Duration.hours(24)),
            ),
        ],
        notifications=NotificationOptions(emails=["team@acme.example"]),
    )
    return stack


def live_alias(stack: cdk.Stack, name: str, named: bool = False) -> lambda_.Alias:
    """One environment's function (placeholder code) and its ``live`` alias on the current version."""
    fn = lambda_.Function(
        stack, f"{name}Function",
        function_name=cdk.PhysicalName.GENERATE_IF_NEEDED if named else None,
        description=f"Orders API ({name.lower()}); code deployed by the delivery pipeline",
        runtime=lambda_.Runtime.NODEJS_22_X,
        handler="index.handler",
        code=lambda_.Code.from_inline('exports.handler = async () => ({ statusCode: 503, body: "not deployed yet" });'),
        memory_size=256,
        timeout=cdk.Duration.seconds(10),
    )
    return lambda_.Alias(stack, f"{name}Live", alias_name="live", version=fn.current_version)


def lambda_pipeline_stack(app: cdk.App, stack_id: str, pipeline_class: type) -> cdk.Stack:
    stack = cdk.Stack(app, stack_id, env=ENV)
    staging = live_alias(stack, "Staging")
    production = live_alias(stack, "Production")

    pipeline_class(
        stack, "Pipeline",
        source=PipelineSource.connection(connection_arn=CONNECTION_ARN, owner="acme", repo="orders-api", branch="main"),
        build_options=BuildOptions(
            install_commands=["npm ci"],
            test_commands=["npm test"],
            commands=["npm run build", "npm prune --omit=dev", 'cp -r node_modules "$OUTPUT_DIRECTORY/"'],
        ),
        output_directory="build/package",
        environments=[
            # Post-deploy tests: the library's (Staging, through super in the subclass), the subclass's own (Production).
            LambdaEnvironment(name="Staging", deployment=LambdaDeployment.all_at_once(staging),
                              post_deploy_tests=PostDeployTestOptions(commands=["npm run smoke"])),
            LambdaEnvironment(
                name="Production",
                deployment=LambdaDeployment.canary(production, percentage=10, interval=cdk.Duration.minutes(5)),
                approval=ApprovalOptions(
                    emails=["ops@acme.example"],
                    comment="Staging is green: release the orders API to production?",
                ),
            ),
        ],
        notifications=NotificationOptions(emails=["team@acme.example"]),
    )
    return stack


def cross_account_stacks(app: cdk.App) -> None:
    """Functions in two other accounts (one in another region), the pipeline in the tools stack."""
    staging = cdk.Stack(app, CROSS_ACCOUNT_STAGING, env=STAGING_ENV)
    production = cdk.Stack(app, CROSS_ACCOUNT_PRODUCTION, env=PRODUCTION_ENV)
    tools = cdk.Stack(app, CROSS_ACCOUNT_TOOLS, env=ENV)
    LambdaPipeline(
        tools, "Pipeline",
        source=PipelineSource.connection(connection_arn=CONNECTION_ARN, owner="acme", repo="orders-api", branch="main"),
        output_directory="build/package",
        environments=[
            LambdaEnvironment(name="Staging", deployment=LambdaDeployment.all_at_once(live_alias(staging, "Staging", True))),
            LambdaEnvironment(
                name="Production",
                deployment=LambdaDeployment.canary(
                    live_alias(production, "Production", True), percentage=10, interval=cdk.Duration.minutes(5)),
            ),
        ],
    )


def cross_account_checks(template: dict) -> typing.List[str]:
    """Each deploy action runs in its function's account (a literal role ARN there), production in its region."""
    failures = []
    stages = next(r for r in template["Resources"].values() if r["Type"] == "AWS::CodePipeline::Pipeline")["Properties"]["Stages"]
    for stage, account, region in (("Staging", "222222222222", None), ("Production", "333333333333", "eu-west-1")):
        action = next(a for s in stages if s["Name"] == stage for a in s["Actions"] if a["Name"] == "Deploy")
        role = action.get("RoleArn")
        # A literal ARN of the other account: a string, or joined with the partition's reference.
        if isinstance(role, dict) and "Fn::Join" in role:
            role = "".join(p if isinstance(p, str) else "<ref>" for p in role["Fn::Join"][1])
        if not (isinstance(role, str) and f":iam::{account}:role/" in role) or action.get("Region") != region:
            failures.append(f"{CROSS_ACCOUNT_TOOLS}: the {stage} deploy action runs as {role!r} in {action.get('Region')!r}, "
                            f"expected a role of account {account} in {region or 'the pipeline region'}")
    return failures


def static_site_pipeline_stack(app: cdk.App, stack_id: str) -> cdk.Stack:
    stack = cdk.Stack(app, stack_id, env=ENV)
    staging = StaticSiteHosting(stack, "StagingSite")
    production = StaticSiteHosting(stack, "ProductionSite", single_page_app=True)

    StaticSitePipeline(
        stack, "Pipeline",
        source=PipelineSource.connection(connection_arn=CONNECTION_ARN, owner="acme", repo="web", branch="main"),
        build_options=BuildOptions(
            install_commands=["npm ci"],
            test_commands=["npm test"],
            commands=["npm run build"],
        ),
        output_directory="build/site",
        # Every project of the pipeline (build and deploy steps) on MEDIUM, with a year of logs.
        code_build_defaults=CodeBuildDefaults(compute_type=codebuild.ComputeType.MEDIUM, log_retention=logs.RetentionDays.ONE_YEAR),
        environments=[
            StaticSiteEnvironment(name="Staging", target=StaticSiteTarget.from_hosting(staging)),
            StaticSiteEnvironment(
                name="Production",
                target=StaticSiteTarget.from_hosting(production),
                approval=ApprovalOptions(emails=["ops@acme.example"], review_url=staging.url),
                # url is a token string: appending to it in Python keeps the token.
                post_deploy_check=PostDeployCheckOptions(
                    urls=[f"{production.url}/", f"{production.url}/settings"], attempts=5),
            ),
        ],
        notifications=NotificationOptions(emails=["team@acme.example"]),
    )
    return stack


def server_pipeline_stack(app: cdk.App, stack_id: str) -> cdk.Stack:
    stack = cdk.Stack(app, stack_id, env=ENV)
    vpc = ec2.Vpc(
        stack, "Vpc",
        availability_zones=["us-east-1a", "us-east-1b"],
        nat_gateways=0,
        subnet_configuration=[ec2.SubnetConfiguration(name="public", subnet_type=ec2.SubnetType.PUBLIC, cidr_mask=24)],
    )

    def servers(name: str) -> autoscaling.AutoScalingGroup:
        return autoscaling.AutoScalingGroup(
            stack, f"{name}Servers",
            vpc=vpc,
            vpc_subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PUBLIC),
            instance_type=ec2.InstanceType.of(ec2.InstanceClass.T3, ec2.InstanceSize.MICRO),
            machine_image=ec2.MachineImage.latest_amazon_linux2023(),
        )

    staging = servers("Staging")
    production = servers("Production")
    lb = elbv2.ApplicationLoadBalancer(stack, "LoadBalancer", vpc=vpc, internet_facing=True)
    targets = lb.add_listener("Http", port=80).add_targets("Production", port=80, targets=[production])
    RecordingServerPipeline(
        stack, "Pipeline",
        source=PipelineSource.connection(connection_arn=CONNECTION_ARN, owner="acme", repo="orders-service", branch="main"),
        build_options=BuildOptions(install_commands=["npm ci"], commands=["npm run build", "cp -r scripts dist/"]),
        app_spec=AppSpecOptions(
            files=[AppSpecFile(source="/", destination="/opt/orders")],
            hooks=LifecycleHooks(
                application_start=[LifecycleScript(location="scripts/start.sh", timeout=cdk.Duration.minutes(2))],
                validate_service=[LifecycleScript(location="scripts/validate.sh", timeout=cdk.Duration.minutes(5))],
            ),
        ),
        environments=[
            ServerEnvironment(name="Staging", deployment=ServerDeployment.auto_scaling_group(
                staging, deployment_config=codedeploy.ServerDeploymentConfig.ALL_AT_ONCE, install_agent=True)),
            ServerEnvironment(name="Production", deployment=ServerDeployment.auto_scaling_group(
                production, load_balancer=ServerLoadBalancer.application_target_group(targets))),
        ],
    )
    return stack


def deploy_actions_of(template: dict) -> dict:
    """The deploy actions of the stack's one pipeline: stage name -> [(action name, provider)]."""
    pipelines = [r for r in template["Resources"].values() if r["Type"] == "AWS::CodePipeline::Pipeline"]
    if len(pipelines) != 1:
        raise AssertionError(f"expected one CodePipeline, found {len(pipelines)}")
    return {
        stage["Name"]: [(a["Name"], a["ActionTypeId"]["Provider"]) for a in stage["Actions"]
                        if a["ActionTypeId"]["Category"] == "Deploy"]
        for stage in pipelines[0]["Properties"]["Stages"]
        if stage["Name"] in ("Staging", "Production")
    }


def test_actions_of(template: dict) -> dict:
    """The actions after the deploy action of each environment: stage name -> [action name]."""
    pipelines = [r for r in template["Resources"].values() if r["Type"] == "AWS::CodePipeline::Pipeline"]
    return {
        stage["Name"]: [a["Name"] for a in stage["Actions"] if a["RunOrder"] > max(
            d["RunOrder"] for d in stage["Actions"] if d["ActionTypeId"]["Category"] == "Deploy")]
        for stage in pipelines[0]["Properties"]["Stages"]
        if stage["Name"] in ("Staging", "Production")
    }


def build_spec_of(template: dict) -> str:
    """The buildspec of the build stage's project (a stack may have post-deploy test projects too)."""
    projects = [r for k, r in template["Resources"].items()
                if r["Type"] == "AWS::CodeBuild::Project" and k.startswith("PipelineBuild")]
    if len(projects) != 1:
        raise AssertionError(f"expected one build project, found {len(projects)}")
    return json.dumps(projects[0]["Properties"]["Source"]["BuildSpec"])


def error_checks() -> typing.List[str]:
    """Provoke errors in an app of its own and check what DeliveryPipelineErrors says of them."""
    failures = []
    app = cdk.App()
    stack = cdk.Stack(app, "ErrorChecks", env=ENV)
    source = PipelineSource.connection(connection_arn=CONNECTION_ARN, owner="acme", repo="web", branch="main")
    site = StaticSiteHosting(stack, "Site")

    # A library error: an environment named after one of the pipeline's own stages.
    try:
        StaticSitePipeline(stack, "Pipeline", source=source,
                           environments=[StaticSiteEnvironment(name="Source", target=StaticSiteTarget.from_hosting(site))])
        failures.append("ErrorChecks: an environment named 'Source' was accepted")
    except Exception as e:  # the jsii runtime raises the library's error as a RuntimeError
        print(f"python app: the library's error reads: {type(e).__name__}: {e}")
        info = DeliveryPipelineErrors.parse(str(e))
        if not DeliveryPipelineErrors.is_delivery_pipeline_error(str(e)):
            failures.append(f"ErrorChecks: is_delivery_pipeline_error(str(e)) is False for the library's error {str(e)!r}")
        elif info is None or (info.construct_path, info.prop) != ("ErrorChecks/Pipeline", "environments[0].name"):
            failures.append(f"ErrorChecks: parse(str(e)) gave {info!r}, expected ErrorChecks/Pipeline and environments[0].name")

    # Not a library error: aws-cdk-lib's own (a duplicate construct id), and a Python one.
    try:
        StaticSiteHosting(stack, "Site")
        failures.append("ErrorChecks: a duplicate construct id was accepted")
    except Exception as e:
        if DeliveryPipelineErrors.is_delivery_pipeline_error(str(e)):
            failures.append(f"ErrorChecks: is_delivery_pipeline_error(str(e)) is True for aws-cdk-lib's error {str(e)!r}")
    if DeliveryPipelineErrors.is_delivery_pipeline_error(str(ValueError("unrelated"))):
        failures.append("ErrorChecks: is_delivery_pipeline_error is True for a Python ValueError's message")

    # A Python override that raises: the error names the hook and keeps the Python message.
    hook_app = cdk.App()
    hook_stack = cdk.Stack(hook_app, "HookErrorCheck", env=ENV)
    FailingDeployActionPipeline(
        hook_stack, "Pipeline",
        source=PipelineSource.connection(connection_arn=CONNECTION_ARN, owner="acme", repo="orders-api", branch="main"),
        environments=[LambdaEnvironment(name="Staging", deployment=LambdaDeployment.all_at_once(live_alias(hook_stack, "Staging")))],
    )
    try:
        hook_app.synth()
        failures.append("HookErrorCheck: the raising createDeployAction override did not fail the synthesis")
    except Exception as e:
        print(f"python app: a raising hook override reads: {type(e).__name__}: {e}")
        expected = "HookErrorCheck/Pipeline: createDeployAction() (a protected hook of LambdaPipeline, overridden by "
        if expected not in str(e) or HOOK_ERROR not in str(e):
            failures.append(f"HookErrorCheck: the error {str(e)!r} does not name the hook ({expected!r}) and keep {HOOK_ERROR!r}")
        if DeliveryPipelineErrors.is_delivery_pipeline_error(str(e)):
            failures.append("HookErrorCheck: a Python ValueError raised in a hook is taken for a library error")
    return failures


def build_spec_object_of(template: dict) -> dict:
    """The buildspec of the stack's build project, parsed (it has no tokens)."""
    return json.loads(json.loads(build_spec_of(template)))


def main() -> int:
    outdir = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.environ.get("CONSUMER_OUTDIR", "cdk.out"))
    app = cdk.App(outdir=outdir)
    pipeline_stack(app, BASE_STACK, EcsContainerPipeline)
    pipeline_stack(app, OVERRIDE_STACK, MarkedBuildSpecPipeline)
    lambda_pipeline_stack(app, LAMBDA_STACK, LambdaPipeline)
    lambda_pipeline_stack(app, LAMBDA_OVERRIDE_STACK, MarkedDeployActionPipeline)
    static_site_pipeline_stack(app, STATIC_SITE_STACK)
    server_pipeline_stack(app, SERVER_STACK)
    cross_account_stacks(app)
    assembly = app.synth()
    failures = error_checks()
    if RecordingServerPipeline.calls != ["Staging", "Production"]:
        failures.append(f"{SERVER_STACK}: the Python override of createDeployAction ran for {RecordingServerPipeline.calls}, "
                        "expected ['Staging', 'Production']")
    server_deploys = deploy_actions_of(assembly.get_stack_by_name(SERVER_STACK).template)
    if server_deploys != {"Staging": [("Deploy", "CodeDeploy")], "Production": [("Deploy", "CodeDeploy")]}:
        failures.append(f"{SERVER_STACK}: the deploy actions are {server_deploys}: super()._create_deploy_action did not reach the library")
    failures += cross_account_checks(assembly.get_stack_by_name(CROSS_ACCOUNT_TOOLS).template)

    base = build_spec_of(assembly.get_stack_by_name(BASE_STACK).template)
    override = build_spec_of(assembly.get_stack_by_name(OVERRIDE_STACK).template)
    if MARKER not in override:
        failures.append(
            f"{OVERRIDE_STACK}: the buildspec lacks {MARKER!r}: the Python override did not run "
            "(a known cause: jsii registers a subclass's overrides only after the JavaScript "
            "constructor returns, so a hook the library calls from its constructor never reaches Python)")
    if "docker build" in override:
        failures.append(f"{OVERRIDE_STACK}: the buildspec still has the library's docker build")
    if MARKER in base or "docker build" not in base:
        failures.append(f"{BASE_STACK}: the buildspec is not the library's default")

    default_deploy = {"Staging": [("Deploy", "Lambda")], "Production": [("Deploy", "Lambda")]}
    lambda_base = deploy_actions_of(assembly.get_stack_by_name(LAMBDA_STACK).template)
    lambda_override = deploy_actions_of(assembly.get_stack_by_name(LAMBDA_OVERRIDE_STACK).template)
    expected_override = {"Staging": [("Deploy", "Lambda")], "Production": [(DEPLOY_ACTION_MARKER, "Lambda")]}
    if lambda_override != expected_override:
        failures.append(
            f"{LAMBDA_OVERRIDE_STACK}: the deploy actions are {lambda_override}, expected {expected_override}: "
            "the Python override of createDeployAction did not run, or its super() call did not reach the library")
    if lambda_base != default_deploy:
        failures.append(f"{LAMBDA_STACK}: the deploy actions are {lambda_base}, not the library's default {default_deploy}")
    expected_tests = {"Staging": ["PostDeployTests"], "Production": [TEST_ACTION_MARKER]}
    actual_tests = test_actions_of(assembly.get_stack_by_name(LAMBDA_OVERRIDE_STACK).template)
    if actual_tests != expected_tests:
        failures.append(
            f"{LAMBDA_OVERRIDE_STACK}: the test actions are {actual_tests}, expected {expected_tests}: "
            "the Python override of createTestAction did not run, or its super() call did not reach the library")
    lambda_spec = build_spec_object_of(assembly.get_stack_by_name(LAMBDA_OVERRIDE_STACK).template)
    lambda_base_spec = build_spec_object_of(assembly.get_stack_by_name(LAMBDA_STACK).template)
    if lambda_spec["phases"].get("post_build", {}).get("commands") != [EXTENDED_BUILD_SPEC_COMMAND]:
        failures.append(f"{LAMBDA_OVERRIDE_STACK}: the buildspec's post_build is {lambda_spec['phases'].get('post_build')}, "
                        f"expected the command {EXTENDED_BUILD_SPEC_COMMAND!r} the Python override of renderBuildSpecObject adds")
    if lambda_spec["phases"]["build"] != lambda_base_spec["phases"]["build"]:
        failures.append(f"{LAMBDA_OVERRIDE_STACK}: the extended buildspec lost the library's build phase")

    for failure in failures:
        print(f"FAIL {failure}", file=sys.stderr)
    if failures:
        return 1
    stacks = ", ".join(stack.stack_name for stack in assembly.stacks)
    print(f"python app: synthesized {stacks} to {outdir}; overrides present (buildspec marker, deploy action name, test action name, extended buildspec); "
          "cross-account deploy actions run as roles of their functions' accounts; "
          "DeliveryPipelineErrors recognises the library's error from str(e); a raising hook is named")
    return 0


if __name__ == "__main__":
    sys.exit(main())
