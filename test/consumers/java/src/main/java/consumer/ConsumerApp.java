package consumer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.cdkdeliverypipelines.AppSpecFile;
import io.github.cdkdeliverypipelines.AppSpecOptions;
import io.github.cdkdeliverypipelines.ApprovalOptions;
import io.github.cdkdeliverypipelines.InPlaceDeploymentOptions;
import io.github.cdkdeliverypipelines.LifecycleHooks;
import io.github.cdkdeliverypipelines.LifecycleScript;
import io.github.cdkdeliverypipelines.ServerDeployment;
import io.github.cdkdeliverypipelines.ServerEnvironment;
import io.github.cdkdeliverypipelines.ServerLoadBalancer;
import io.github.cdkdeliverypipelines.ServerPipeline;
import io.github.cdkdeliverypipelines.ServerPipelineProps;
import io.github.cdkdeliverypipelines.BuildOptions;
import io.github.cdkdeliverypipelines.CodeBuildDefaults;
import io.github.cdkdeliverypipelines.ConnectionSourceOptions;
import io.github.cdkdeliverypipelines.DeliveryPipelineErrorInfo;
import io.github.cdkdeliverypipelines.DeliveryPipelineErrors;
import io.github.cdkdeliverypipelines.EcsContainerPipeline;
import io.github.cdkdeliverypipelines.EcsContainerPipelineProps;
import io.github.cdkdeliverypipelines.EcsDeployment;
import io.github.cdkdeliverypipelines.EcsEnvironment;
import io.github.cdkdeliverypipelines.EnvironmentOptions;
import io.github.cdkdeliverypipelines.LambdaDeployAction;
import io.github.cdkdeliverypipelines.LambdaDeployment;
import io.github.cdkdeliverypipelines.LambdaEnvironment;
import io.github.cdkdeliverypipelines.LambdaPipeline;
import io.github.cdkdeliverypipelines.LambdaPipelineProps;
import io.github.cdkdeliverypipelines.LambdaTrafficShiftOptions;
import io.github.cdkdeliverypipelines.NotificationOptions;
import io.github.cdkdeliverypipelines.PipelineSource;
import io.github.cdkdeliverypipelines.PostDeployCheckOptions;
import io.github.cdkdeliverypipelines.PostDeployTestOptions;
import io.github.cdkdeliverypipelines.RollingDeploymentOptions;
import io.github.cdkdeliverypipelines.StaticSiteEnvironment;
import io.github.cdkdeliverypipelines.StaticSiteHosting;
import io.github.cdkdeliverypipelines.StaticSitePipeline;
import io.github.cdkdeliverypipelines.StaticSiteTarget;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import software.amazon.awscdk.App;
import software.amazon.awscdk.AppProps;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.Environment;
import software.amazon.awscdk.PhysicalName;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.cxapi.CloudAssembly;
import software.amazon.awscdk.services.autoscaling.AutoScalingGroup;
import software.amazon.awscdk.services.codebuild.BuildSpec;
import software.amazon.awscdk.services.codedeploy.ServerDeploymentConfig;
import software.amazon.awscdk.services.ec2.InstanceClass;
import software.amazon.awscdk.services.ec2.InstanceSize;
import software.amazon.awscdk.services.ec2.InstanceType;
import software.amazon.awscdk.services.ec2.MachineImage;
import software.amazon.awscdk.services.ec2.SubnetSelection;
import software.amazon.awscdk.services.elasticloadbalancingv2.AddApplicationTargetsProps;
import software.amazon.awscdk.services.elasticloadbalancingv2.ApplicationLoadBalancer;
import software.amazon.awscdk.services.elasticloadbalancingv2.ApplicationTargetGroup;
import software.amazon.awscdk.services.elasticloadbalancingv2.BaseApplicationListenerProps;
import software.amazon.awscdk.services.codebuild.ComputeType;
import software.amazon.awscdk.services.codepipeline.IAction;
import software.amazon.awscdk.services.codepipeline.actions.ManualApprovalAction;
import software.amazon.awscdk.services.logs.RetentionDays;
import software.amazon.awscdk.services.ec2.SubnetConfiguration;
import software.amazon.awscdk.services.ec2.SubnetType;
import software.amazon.awscdk.services.ec2.Vpc;
import software.amazon.awscdk.services.ecs.Cluster;
import software.amazon.awscdk.services.ecs.ContainerDefinitionOptions;
import software.amazon.awscdk.services.ecs.ContainerImage;
import software.amazon.awscdk.services.ecs.DeploymentCircuitBreaker;
import software.amazon.awscdk.services.ecs.FargateService;
import software.amazon.awscdk.services.ecs.FargateTaskDefinition;
import software.amazon.awscdk.services.ecs.ICluster;
import software.amazon.awscdk.services.ecs.PortMapping;
import software.amazon.awscdk.services.lambda.Alias;
import software.amazon.awscdk.services.lambda.Code;
import software.amazon.awscdk.services.lambda.Function;
import software.amazon.awscdk.services.lambda.Runtime;
import software.constructs.Construct;

/**
 * A real Java CDK app that uses the cdk-delivery-pipelines Maven artifact.
 *
 * <p>It synthesizes five stacks with the same construct ids and props as ../reference.ts:
 * <ul>
 *   <li>ConsumerEcsPipeline: the library's EcsContainerPipeline (Source, Build, Staging,
 *       approval, Production);</li>
 *   <li>ConsumerEcsPipelineOverride: the same with a Java subclass that overrides the protected
 *       hook {@code renderBuildSpec()};</li>
 *   <li>ConsumerLambdaPipeline: Staging and Production functions, each with a {@code live}
 *       alias, and a LambdaPipeline (Staging all at once, approval, Production canary);</li>
 *   <li>ConsumerLambdaPipelineOverride: the same with a Java subclass that overrides the
 *       protected hooks {@code createTestAction()} (Staging's post-deploy tests through super,
 *       Production a test action of its own) and {@code createDeployAction()}: Staging keeps the library's action through
 *       {@code super}, Production gets an action named for Java; and that extends the generated
 *       buildspec ({@code renderBuildSpecObject()}: one more post-build command);</li>
 *   <li>ConsumerStaticSitePipeline: Staging and Production StaticSiteHosting sites and a
 *       StaticSitePipeline (Staging, approval, Production with a post-deploy check).</li>
 * </ul>
 * The cloud assembly goes to the directory given as the first argument, or $CONSUMER_OUTDIR,
 * or ./cdk.out; the program then checks that the overrides took effect and exits non-zero
 * otherwise.
 *
 * <p>It also provokes errors in an app of its own (never synthesized to the output directory):
 * a library error (an environment named "Source"), which DeliveryPipelineErrors must recognise
 * from {@code e.getMessage()} (the Java exception is not the JavaScript error object), an
 * unrelated aws-cdk-lib error, which it must not, and a Java override of createDeployAction that
 * throws, whose error must name the hook.
 */
public final class ConsumerApp {
    static final Environment ENV = Environment.builder().account("111111111111").region("us-east-1").build();
    static final Environment STAGING_ENV = Environment.builder().account("222222222222").region("us-east-1").build();
    static final Environment PRODUCTION_ENV = Environment.builder().account("333333333333").region("eu-west-1").build();
    static final String CROSS_ACCOUNT_TOOLS = "ConsumerCrossAccountTools";
    static final String CROSS_ACCOUNT_STAGING = "ConsumerCrossAccountStaging";
    static final String CROSS_ACCOUNT_PRODUCTION = "ConsumerCrossAccountProduction";
    static final String CONNECTION_ARN = "arn:aws:codeconnections:us-east-1:111111111111:connection/11111111-2222-3333-4444-555555555555";
    static final String BASE_STACK = "ConsumerEcsPipeline";
    static final String OVERRIDE_STACK = "ConsumerEcsPipelineOverride";
    static final String MARKER = "echo overridden-in-java";
    static final String LAMBDA_STACK = "ConsumerLambdaPipeline";
    static final String LAMBDA_OVERRIDE_STACK = "ConsumerLambdaPipelineOverride";
    static final String STATIC_SITE_STACK = "ConsumerStaticSitePipeline";
    static final String SERVER_STACK = "ConsumerServerPipeline";
    static final String DEPLOY_ACTION_MARKER = "Deploy-overridden-in-java";
    static final String TEST_ACTION_MARKER = "Tests-overridden-in-java";
    static final String EXTENDED_BUILD_SPEC_COMMAND = "echo extended-in-java";
    static final String HOOK_ERROR = "boom-in-java";

    private ConsumerApp() {
    }

    /** A consumer's subclass: its own buildspec, keeping the user's install commands. */
    public static class MarkedBuildSpecPipeline extends EcsContainerPipeline {
        public MarkedBuildSpecPipeline(final Construct scope, final String id, final EcsContainerPipelineProps props) {
            super(scope, id, props);
        }

        @Override
        protected BuildSpec renderBuildSpec() {
            List<String> install = Optional.ofNullable(getBuildOptions().getInstallCommands()).orElse(List.of());
            // BuildSpec.fromObject serializes the map as it iterates it: keep the keys in order.
            return BuildSpec.fromObject(map(
                "version", "0.2",
                "phases", map(
                    "install", map("commands", new ArrayList<>(install)),
                    "build", map("commands", List.of(
                        MARKER,
                        "printf '[{\"name\":\"web\",\"imageUri\":\"%s\"}]' \"$REPOSITORY_URI:$SOURCE_REVISION\" > imagedefinitions.json"))),
                "artifacts", map("files", List.of("imagedefinitions.json"))));
        }
    }

    /** A consumer's subclass: Staging keeps the library's deploy action, Production gets its own. */
    public static class MarkedDeployActionPipeline extends LambdaPipeline {
        public MarkedDeployActionPipeline(final Construct scope, final String id, final LambdaPipelineProps props) {
            super(scope, id, props);
        }

        /**
         * The parent's buildspec (the user's commands and the library's own steps) as a Map, with
         * one more post-build command (the phase is absent when it has no commands). Copies what
         * it changes, in the same key order.
         */
        @Override
        @SuppressWarnings("unchecked")
        protected Map<String, Object> renderBuildSpecObject() {
            Map<String, Object> spec = new LinkedHashMap<>(super.renderBuildSpecObject());
            Map<String, Object> phases = new LinkedHashMap<>((Map<String, Object>) spec.get("phases"));
            Map<String, Object> postBuild = new LinkedHashMap<>((Map<String, Object>) phases.getOrDefault("post_build", Map.of()));
            List<Object> commands = new ArrayList<>((List<Object>) postBuild.getOrDefault("commands", List.of()));
            commands.add(EXTENDED_BUILD_SPEC_COMMAND);
            postBuild.put("commands", commands);
            phases.put("post_build", postBuild);
            spec.put("phases", phases);
            return spec;
        }

        @Override
        protected IAction createDeployAction(final LambdaEnvironment environment) {
            if (!"Production".equals(environment.getName())) {
                return super.createDeployAction(environment);
            }
            return LambdaDeployAction.Builder.create()
                .actionName(DEPLOY_ACTION_MARKER)
                .input(getBuildOutput())
                .deployment(environment.getDeployment())
                .runOrder(2)
                .build();
        }

        /** Staging's post-deploy tests through super (the library's), Production a test action of its own. */
        @Override
        protected IAction createTestAction(final EnvironmentOptions environment, final Number runOrder) {
            if (!"Production".equals(environment.getName())) {
                return super.createTestAction(environment, runOrder);
            }
            return ManualApprovalAction.Builder.create().actionName(TEST_ACTION_MARKER).runOrder(runOrder).build();
        }
    }

    /**
     * A consumer's subclass of ServerPipeline: createDeployAction records the environment and
     * returns the library's action through super (the template stays the library's).
     */
    public static class RecordingServerPipeline extends ServerPipeline {
        static final List<String> CALLS = new ArrayList<>();

        public RecordingServerPipeline(final Construct scope, final String id, final ServerPipelineProps props) {
            super(scope, id, props);
        }

        @Override
        protected IAction createDeployAction(final ServerEnvironment environment) {
            CALLS.add(environment.getName());
            return super.createDeployAction(environment);
        }
    }

    /** A consumer's subclass whose createDeployAction throws: the error must name the hook. */
    public static class FailingDeployActionPipeline extends LambdaPipeline {
        public FailingDeployActionPipeline(final Construct scope, final String id, final LambdaPipelineProps props) {
            super(scope, id, props);
        }

        @Override
        protected IAction createDeployAction(final LambdaEnvironment environment) {
            throw new IllegalStateException(HOOK_ERROR);
        }
    }

    /** Provoke errors in an app of its own and check what DeliveryPipelineErrors says of them. */
    static List<String> errorChecks() {
        List<String> failures = new ArrayList<>();
        App app = new App();
        Stack stack = new Stack(app, "ErrorChecks", StackProps.builder().env(ENV).build());
        StaticSiteHosting site = new StaticSiteHosting(stack, "Site");

        // A library error: an environment named after one of the pipeline's own stages.
        try {
            StaticSitePipeline.Builder.create(stack, "Pipeline")
                .source(PipelineSource.connection(ConnectionSourceOptions.builder()
                    .connectionArn(CONNECTION_ARN).owner("acme").repo("web").branch("main").build()))
                .environments(List.of(StaticSiteEnvironment.builder().name("Source").target(StaticSiteTarget.fromHosting(site)).build()))
                .build();
            failures.add("ErrorChecks: an environment named 'Source' was accepted");
        } catch (RuntimeException e) {
            // getMessage() is the message, then the JavaScript stack: print the first line.
            System.out.println("java app: the library's error reads: " + e.getClass().getName() + ": " + e.getMessage().lines().findFirst().orElse(""));
            DeliveryPipelineErrorInfo info = DeliveryPipelineErrors.parse(e.getMessage());
            if (!DeliveryPipelineErrors.isDeliveryPipelineError(e.getMessage())) {
                failures.add("ErrorChecks: isDeliveryPipelineError(e.getMessage()) is false for the library's error " + e.getMessage());
            } else if (info == null || !"ErrorChecks/Pipeline".equals(info.getConstructPath()) || !"environments[0].name".equals(info.getProp())) {
                failures.add("ErrorChecks: parse(e.getMessage()) did not give ErrorChecks/Pipeline and environments[0].name");
            }
        }

        // Not a library error: aws-cdk-lib's own (a duplicate construct id), and a Java one.
        try {
            new StaticSiteHosting(stack, "Site");
            failures.add("ErrorChecks: a duplicate construct id was accepted");
        } catch (RuntimeException e) {
            if (DeliveryPipelineErrors.isDeliveryPipelineError(e.getMessage())) {
                failures.add("ErrorChecks: isDeliveryPipelineError(e.getMessage()) is true for aws-cdk-lib's error " + e.getMessage());
            }
        }
        if (DeliveryPipelineErrors.isDeliveryPipelineError(new IllegalArgumentException("unrelated").getMessage())) {
            failures.add("ErrorChecks: isDeliveryPipelineError is true for a Java exception's message");
        }

        // A Java override that throws: the error names the hook and keeps the Java message.
        App hookApp = new App();
        Stack hookStack = new Stack(hookApp, "HookErrorCheck", StackProps.builder().env(ENV).build());
        new FailingDeployActionPipeline(hookStack, "Pipeline", LambdaPipelineProps.builder()
            .source(PipelineSource.connection(ConnectionSourceOptions.builder()
                .connectionArn(CONNECTION_ARN).owner("acme").repo("orders-api").branch("main").build()))
            .environments(List.of(LambdaEnvironment.builder()
                .name("Staging").deployment(LambdaDeployment.allAtOnce(liveAlias(hookStack, "Staging"))).build()))
            .build());
        try {
            hookApp.synth();
            failures.add("HookErrorCheck: the throwing createDeployAction override did not fail the synthesis");
        } catch (RuntimeException e) {
            String message = String.valueOf(e.getMessage());
            System.out.println("java app: a throwing hook override reads: " + e.getClass().getName() + ": " + message.lines().findFirst().orElse(""));
            String expected = "HookErrorCheck/Pipeline: createDeployAction() (a protected hook of LambdaPipeline, overridden by ";
            if (!message.contains(expected) || !message.contains(HOOK_ERROR)) {
                failures.add("HookErrorCheck: the error '" + message + "' does not name the hook ('" + expected + "') and keep '" + HOOK_ERROR + "'");
            }
            if (DeliveryPipelineErrors.isDeliveryPipelineError(message)) {
                failures.add("HookErrorCheck: a Java exception thrown in a hook is taken for a library error");
            }
        }
        return failures;
    }

    /** The parsed buildspec of the stack's one CodeBuild project (it has no tokens; Jackson comes with the jsii runtime). */
    @SuppressWarnings("unchecked")
    static Map<String, Object> buildSpecObjectOf(final CloudAssembly assembly, final String stackName) {
        try {
            return new ObjectMapper().readValue(buildSpecOf(assembly, stackName), Map.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(stackName + ": the buildspec is not JSON", e);
        }
    }

    /** An insertion-ordered map from alternating keys and values. */
    static Map<String, Object> map(final Object... keysAndValues) {
        Map<String, Object> result = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            result.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return result;
    }

    interface PipelineFactory {
        void create(Construct scope, String id, EcsContainerPipelineProps props);
    }

    static FargateService webService(final Stack stack, final String name, final ICluster cluster) {
        FargateTaskDefinition taskDefinition = FargateTaskDefinition.Builder.create(stack, name + "Task")
            .cpu(256)
            .memoryLimitMiB(512)
            .build();
        taskDefinition.addContainer("web", ContainerDefinitionOptions.builder()
            .image(ContainerImage.fromRegistry("public.ecr.aws/docker/library/nginx:1.27"))
            .essential(true)
            .portMappings(List.of(PortMapping.builder().containerPort(80).build()))
            .build());
        return FargateService.Builder.create(stack, name + "Service")
            .cluster(cluster)
            .taskDefinition(taskDefinition)
            .desiredCount(1)
            .minHealthyPercent(100)
            .maxHealthyPercent(200)
            .assignPublicIp(true)
            .circuitBreaker(DeploymentCircuitBreaker.builder().enable(true).rollback(true).build())
            .build();
    }

    static Stack pipelineStack(final App app, final String id, final PipelineFactory factory) {
        Stack stack = new Stack(app, id, StackProps.builder().env(ENV).build());
        Vpc vpc = Vpc.Builder.create(stack, "Vpc")
            .availabilityZones(List.of("us-east-1a", "us-east-1b"))
            .natGateways(0)
            .subnetConfiguration(List.of(SubnetConfiguration.builder()
                .name("public").subnetType(SubnetType.PUBLIC).cidrMask(24).build()))
            .build();
        Cluster cluster = Cluster.Builder.create(stack, "Cluster").vpc(vpc).build();
        FargateService staging = webService(stack, "Staging", cluster);
        FargateService production = webService(stack, "Production", cluster);

        EcsContainerPipelineProps props = EcsContainerPipelineProps.builder()
            .source(PipelineSource.connection(ConnectionSourceOptions.builder()
                .connectionArn(CONNECTION_ARN).owner("acme").repo("shop").branch("main").build()))
            .buildOptions(BuildOptions.builder()
                .installCommands(List.of("npm ci"))
                .testCommands(List.of("npm test"))
                .environmentVariables(Map.of("NODE_ENV", "production"))
                .timeout(Duration.minutes(30))
                .build())
            .environments(List.of(
                EcsEnvironment.builder().name("Staging").deployment(EcsDeployment.rolling(staging)).build(),
                EcsEnvironment.builder()
                    .name("Production")
                    .deployment(EcsDeployment.rolling(production, RollingDeploymentOptions.builder()
                        .deploymentTimeout(Duration.minutes(30)).build()))
                    .approval(ApprovalOptions.builder()
                        .emails(List.of("ops@acme.example"))
                        .timeout(Duration.hours(24))
                        .build())
                    .build()))
            .notifications(NotificationOptions.builder().emails(List.of("team@acme.example")).build())
            .build();
        factory.create(stack, "Pipeline", props);
        return stack;
    }

    interface LambdaPipelineFactory {
        void create(Construct scope, String id, LambdaPipelineProps props);
    }

    /** One environment's function (placeholder code) and its {@code live} alias on the current version. */
    static Alias liveAlias(final Stack stack, final String name) {
        return liveAlias(stack, name, false);
    }

    static Alias liveAlias(final Stack stack, final String name, final boolean named) {
        Function fn = Function.Builder.create(stack, name + "Function")
            .functionName(named ? PhysicalName.GENERATE_IF_NEEDED : null)
            .description("Orders API (" + name.toLowerCase(Locale.ROOT) + "); code deployed by the delivery pipeline")
            .runtime(Runtime.NODEJS_22_X)
            .handler("index.handler")
            .code(Code.fromInline("exports.handler = async () => ({ statusCode: 503, body: \"not deployed yet\" });"))
            .memorySize(256)
            .timeout(Duration.seconds(10))
            .build();
        return Alias.Builder.create(stack, name + "Live").aliasName("live").version(fn.getCurrentVersion()).build();
    }

    static Stack lambdaPipelineStack(final App app, final String id, final LambdaPipelineFactory factory) {
        Stack stack = new Stack(app, id, StackProps.builder().env(ENV).build());
        Alias staging = liveAlias(stack, "Staging");
        Alias production = liveAlias(stack, "Production");

        LambdaPipelineProps props = LambdaPipelineProps.builder()
            .source(PipelineSource.connection(ConnectionSourceOptions.builder()
                .connectionArn(CONNECTION_ARN).owner("acme").repo("orders-api").branch("main").build()))
            .buildOptions(BuildOptions.builder()
                .installCommands(List.of("npm ci"))
                .testCommands(List.of("npm test"))
                .commands(List.of("npm run build", "npm prune --omit=dev", "cp -r node_modules \"$OUTPUT_DIRECTORY/\""))
                .build())
            .outputDirectory("build/package")
            .environments(List.of(
                // Post-deploy tests: the library's (Staging, through super in the subclass), the subclass's own (Production).
                LambdaEnvironment.builder().name("Staging").deployment(LambdaDeployment.allAtOnce(staging))
                    .postDeployTests(PostDeployTestOptions.builder().commands(List.of("npm run smoke")).build()).build(),
                LambdaEnvironment.builder()
                    .name("Production")
                    .deployment(LambdaDeployment.canary(production, LambdaTrafficShiftOptions.builder()
                        .percentage(10).interval(Duration.minutes(5)).build()))
                    .approval(ApprovalOptions.builder()
                        .emails(List.of("ops@acme.example"))
                        .comment("Staging is green: release the orders API to production?")
                        .build())
                    .build()))
            .notifications(NotificationOptions.builder().emails(List.of("team@acme.example")).build())
            .build();
        factory.create(stack, "Pipeline", props);
        return stack;
    }

    /** Functions in two other accounts (one in another region), the pipeline in the tools stack. */
    static void crossAccountStacks(final App app) {
        Stack staging = new Stack(app, CROSS_ACCOUNT_STAGING, StackProps.builder().env(STAGING_ENV).build());
        Stack production = new Stack(app, CROSS_ACCOUNT_PRODUCTION, StackProps.builder().env(PRODUCTION_ENV).build());
        Stack tools = new Stack(app, CROSS_ACCOUNT_TOOLS, StackProps.builder().env(ENV).build());
        new LambdaPipeline(tools, "Pipeline", LambdaPipelineProps.builder()
            .source(PipelineSource.connection(ConnectionSourceOptions.builder()
                .connectionArn(CONNECTION_ARN).owner("acme").repo("orders-api").branch("main").build()))
            .outputDirectory("build/package")
            .environments(List.of(
                LambdaEnvironment.builder().name("Staging")
                    .deployment(LambdaDeployment.allAtOnce(liveAlias(staging, "Staging", true))).build(),
                LambdaEnvironment.builder().name("Production")
                    .deployment(LambdaDeployment.canary(liveAlias(production, "Production", true), LambdaTrafficShiftOptions.builder()
                        .percentage(10).interval(Duration.minutes(5)).build()))
                    .build()))
            .build());
    }

    /** Each deploy action runs in its function's account (a literal role ARN there), production in its region. */
    @SuppressWarnings("unchecked")
    static List<String> crossAccountChecks(final CloudAssembly assembly) {
        List<String> failures = new ArrayList<>();
        Map<String, Object> template = (Map<String, Object>) assembly.getStackByName(CROSS_ACCOUNT_TOOLS).getTemplate();
        Map<String, Object> resources = (Map<String, Object>) template.get("Resources");
        List<Map<String, Object>> stages = null;
        for (Object r : resources.values()) {
            Map<String, Object> resource = (Map<String, Object>) r;
            if ("AWS::CodePipeline::Pipeline".equals(resource.get("Type"))) {
                stages = (List<Map<String, Object>>) ((Map<String, Object>) resource.get("Properties")).get("Stages");
            }
        }
        String[][] expected = {{"Staging", "222222222222", null}, {"Production", "333333333333", "eu-west-1"}};
        for (String[] e : expected) {
            Map<String, Object> action = null;
            for (Map<String, Object> stage : stages) {
                if (e[0].equals(stage.get("Name"))) {
                    for (Object a : (List<Object>) stage.get("Actions")) {
                        if ("Deploy".equals(((Map<String, Object>) a).get("Name"))) {
                            action = (Map<String, Object>) a;
                        }
                    }
                }
            }
            Object role = action == null ? null : action.get("RoleArn");
            // A literal ARN of the other account: a string, or joined with the partition's reference.
            if (role instanceof Map && ((Map<String, Object>) role).containsKey("Fn::Join")) {
                StringBuilder joined = new StringBuilder();
                for (Object part : (List<Object>) ((List<Object>) ((Map<String, Object>) role).get("Fn::Join")).get(1)) {
                    joined.append(part instanceof String ? (String) part : "<ref>");
                }
                role = joined.toString();
            }
            Object region = action == null ? null : action.get("Region");
            boolean ok = role instanceof String && ((String) role).contains(":iam::" + e[1] + ":role/")
                && java.util.Objects.equals(region, e[2]);
            if (!ok) {
                failures.add(CROSS_ACCOUNT_TOOLS + ": the " + e[0] + " deploy action runs as " + role + " in " + region
                    + ", expected a role of account " + e[1] + " in " + (e[2] == null ? "the pipeline region" : e[2]));
            }
        }
        return failures;
    }

    static AutoScalingGroup servers(final Stack stack, final String name, final Vpc vpc) {
        return AutoScalingGroup.Builder.create(stack, name + "Servers")
            .vpc(vpc)
            .vpcSubnets(SubnetSelection.builder().subnetType(SubnetType.PUBLIC).build())
            .instanceType(InstanceType.of(InstanceClass.T3, InstanceSize.MICRO))
            .machineImage(MachineImage.latestAmazonLinux2023())
            .build();
    }

    static Stack serverPipelineStack(final App app, final String id) {
        Stack stack = new Stack(app, id, StackProps.builder().env(ENV).build());
        Vpc vpc = Vpc.Builder.create(stack, "Vpc")
            .availabilityZones(List.of("us-east-1a", "us-east-1b"))
            .natGateways(0)
            .subnetConfiguration(List.of(SubnetConfiguration.builder()
                .name("public").subnetType(SubnetType.PUBLIC).cidrMask(24).build()))
            .build();
        AutoScalingGroup staging = servers(stack, "Staging", vpc);
        AutoScalingGroup production = servers(stack, "Production", vpc);
        ApplicationLoadBalancer lb = ApplicationLoadBalancer.Builder.create(stack, "LoadBalancer").vpc(vpc).internetFacing(true).build();
        ApplicationTargetGroup targets = lb.addListener("Http", BaseApplicationListenerProps.builder().port(80).build())
            .addTargets("Production", AddApplicationTargetsProps.builder().port(80).targets(List.of(production)).build());
        new RecordingServerPipeline(stack, "Pipeline", ServerPipelineProps.builder()
            .source(PipelineSource.connection(ConnectionSourceOptions.builder()
                .connectionArn(CONNECTION_ARN).owner("acme").repo("orders-service").branch("main").build()))
            .buildOptions(BuildOptions.builder()
                .installCommands(List.of("npm ci"))
                .commands(List.of("npm run build", "cp -r scripts dist/"))
                .build())
            .appSpec(AppSpecOptions.builder()
                .files(List.of(AppSpecFile.builder().source("/").destination("/opt/orders").build()))
                .hooks(LifecycleHooks.builder()
                    .applicationStart(List.of(LifecycleScript.builder().location("scripts/start.sh").timeout(Duration.minutes(2)).build()))
                    .validateService(List.of(LifecycleScript.builder().location("scripts/validate.sh").timeout(Duration.minutes(5)).build()))
                    .build())
                .build())
            .environments(List.of(
                ServerEnvironment.builder().name("Staging").deployment(ServerDeployment.autoScalingGroup(staging,
                    InPlaceDeploymentOptions.builder().deploymentConfig(ServerDeploymentConfig.ALL_AT_ONCE).installAgent(true).build())).build(),
                ServerEnvironment.builder().name("Production").deployment(ServerDeployment.autoScalingGroup(production,
                    InPlaceDeploymentOptions.builder().loadBalancer(ServerLoadBalancer.applicationTargetGroup(targets)).build())).build()))
            .build());
        return stack;
    }

    static Stack staticSitePipelineStack(final App app, final String id) {
        Stack stack = new Stack(app, id, StackProps.builder().env(ENV).build());
        StaticSiteHosting staging = new StaticSiteHosting(stack, "StagingSite");
        StaticSiteHosting production = StaticSiteHosting.Builder.create(stack, "ProductionSite").singlePageApp(true).build();

        StaticSitePipeline.Builder.create(stack, "Pipeline")
            .source(PipelineSource.connection(ConnectionSourceOptions.builder()
                .connectionArn(CONNECTION_ARN).owner("acme").repo("web").branch("main").build()))
            .buildOptions(BuildOptions.builder()
                .installCommands(List.of("npm ci"))
                .testCommands(List.of("npm test"))
                .commands(List.of("npm run build"))
                .build())
            .outputDirectory("build/site")
            // Every project of the pipeline (build and deploy steps) on MEDIUM, with a year of logs.
            .codeBuildDefaults(CodeBuildDefaults.builder()
                .computeType(ComputeType.MEDIUM).logRetention(RetentionDays.ONE_YEAR).build())
            .environments(List.of(
                StaticSiteEnvironment.builder().name("Staging").target(StaticSiteTarget.fromHosting(staging)).build(),
                StaticSiteEnvironment.builder()
                    .name("Production")
                    .target(StaticSiteTarget.fromHosting(production))
                    .approval(ApprovalOptions.builder()
                        .emails(List.of("ops@acme.example"))
                        .reviewUrl(staging.getUrl())
                        .build())
                    // getUrl() is a token string: appending to it in Java keeps the token.
                    .postDeployCheck(PostDeployCheckOptions.builder()
                        .urls(List.of(production.getUrl() + "/", production.getUrl() + "/settings"))
                        .attempts(5)
                        .build())
                    .build()))
            .notifications(NotificationOptions.builder().emails(List.of("team@acme.example")).build())
            .build();
        return stack;
    }

    /** The actions after the last deploy action of Staging and Production: stage name to action names. */
    @SuppressWarnings("unchecked")
    static Map<String, List<String>> testActionsOf(final CloudAssembly assembly, final String stackName) {
        Map<String, Object> template = (Map<String, Object>) assembly.getStackByName(stackName).getTemplate();
        Map<String, List<String>> result = new LinkedHashMap<>();
        for (Object value : ((Map<String, Object>) template.get("Resources")).values()) {
            Map<String, Object> resource = (Map<String, Object>) value;
            if (!"AWS::CodePipeline::Pipeline".equals(resource.get("Type"))) {
                continue;
            }
            for (Object s : (List<Object>) ((Map<String, Object>) resource.get("Properties")).get("Stages")) {
                Map<String, Object> stage = (Map<String, Object>) s;
                String stageName = (String) stage.get("Name");
                if (!"Staging".equals(stageName) && !"Production".equals(stageName)) {
                    continue;
                }
                List<Map<String, Object>> actions = (List<Map<String, Object>>) (List<?>) stage.get("Actions");
                int lastDeploy = 0;
                for (Map<String, Object> a : actions) {
                    if ("Deploy".equals(((Map<String, Object>) a.get("ActionTypeId")).get("Category"))) {
                        lastDeploy = Math.max(lastDeploy, ((Number) a.get("RunOrder")).intValue());
                    }
                }
                List<String> names = new ArrayList<>();
                for (Map<String, Object> a : actions) {
                    if (((Number) a.get("RunOrder")).intValue() > lastDeploy) {
                        names.add((String) a.get("Name"));
                    }
                }
                result.put(stageName, names);
            }
        }
        return result;
    }

    /** The deploy actions of the stack's one pipeline: stage name to "action name/provider" entries. */
    @SuppressWarnings("unchecked")
    static Map<String, List<String>> deployActionsOf(final CloudAssembly assembly, final String stackName) {
        Map<String, Object> template = (Map<String, Object>) assembly.getStackByName(stackName).getTemplate();
        Map<String, Object> resources = (Map<String, Object>) template.get("Resources");
        List<Map<String, Object>> pipelines = new ArrayList<>();
        for (Object value : resources.values()) {
            Map<String, Object> resource = (Map<String, Object>) value;
            if ("AWS::CodePipeline::Pipeline".equals(resource.get("Type"))) {
                pipelines.add((Map<String, Object>) resource.get("Properties"));
            }
        }
        if (pipelines.size() != 1) {
            throw new IllegalStateException(stackName + ": expected one CodePipeline, found " + pipelines.size());
        }
        Map<String, List<String>> result = new LinkedHashMap<>();
        for (Object value : (List<Object>) pipelines.get(0).get("Stages")) {
            Map<String, Object> stage = (Map<String, Object>) value;
            String stageName = (String) stage.get("Name");
            if (!"Staging".equals(stageName) && !"Production".equals(stageName)) {
                continue;
            }
            List<String> deploys = new ArrayList<>();
            for (Object a : (List<Object>) stage.get("Actions")) {
                Map<String, Object> action = (Map<String, Object>) a;
                Map<String, Object> type = (Map<String, Object>) action.get("ActionTypeId");
                if ("Deploy".equals(type.get("Category"))) {
                    deploys.add(action.get("Name") + "/" + type.get("Provider"));
                }
            }
            result.put(stageName, deploys);
        }
        return result;
    }

    @SuppressWarnings("unchecked")
    static String buildSpecOf(final CloudAssembly assembly, final String stackName) {
        Map<String, Object> template = (Map<String, Object>) assembly.getStackByName(stackName).getTemplate();
        Map<String, Object> resources = (Map<String, Object>) template.get("Resources");
        List<Object> specs = new ArrayList<>();
        // The build stage's project (a stack may have post-deploy test projects too).
        for (Map.Entry<String, Object> entry : resources.entrySet()) {
            Map<String, Object> resource = (Map<String, Object>) entry.getValue();
            if ("AWS::CodeBuild::Project".equals(resource.get("Type")) && entry.getKey().startsWith("PipelineBuild")) {
                Map<String, Object> properties = (Map<String, Object>) resource.get("Properties");
                specs.add(((Map<String, Object>) properties.get("Source")).get("BuildSpec"));
            }
        }
        if (specs.size() != 1) {
            throw new IllegalStateException(stackName + ": expected one build project, found " + specs.size());
        }
        return String.valueOf(specs.get(0));
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> phasesOf(final Map<String, Object> buildSpec) {
        return (Map<String, Object>) buildSpec.get("phases");
    }

    public static void main(final String[] args) {
        String outdir = Path.of(args.length > 0 ? args[0]
            : Optional.ofNullable(System.getenv("CONSUMER_OUTDIR")).orElse("cdk.out")).toAbsolutePath().toString();
        App app = new App(AppProps.builder().outdir(outdir).build());
        pipelineStack(app, BASE_STACK, EcsContainerPipeline::new);
        pipelineStack(app, OVERRIDE_STACK, MarkedBuildSpecPipeline::new);
        lambdaPipelineStack(app, LAMBDA_STACK, LambdaPipeline::new);
        lambdaPipelineStack(app, LAMBDA_OVERRIDE_STACK, MarkedDeployActionPipeline::new);
        staticSitePipelineStack(app, STATIC_SITE_STACK);
        serverPipelineStack(app, SERVER_STACK);
        crossAccountStacks(app);
        CloudAssembly assembly = app.synth();
        List<String> failures = errorChecks();
        if (!RecordingServerPipeline.CALLS.equals(List.of("Staging", "Production"))) {
            failures.add(SERVER_STACK + ": the Java override of createDeployAction() ran for " + RecordingServerPipeline.CALLS
                + ", expected [Staging, Production]");
        }
        Map<String, List<String>> serverDeploys = deployActionsOf(assembly, SERVER_STACK);
        if (!serverDeploys.equals(Map.of("Staging", List.of("Deploy/CodeDeploy"), "Production", List.of("Deploy/CodeDeploy")))) {
            failures.add(SERVER_STACK + ": the deploy actions are " + serverDeploys + ": super.createDeployAction() did not reach the library");
        }
        failures.addAll(crossAccountChecks(assembly));

        String base = buildSpecOf(assembly, BASE_STACK);
        String override = buildSpecOf(assembly, OVERRIDE_STACK);
        if (!override.contains(MARKER)) {
            failures.add(OVERRIDE_STACK + ": the buildspec lacks '" + MARKER + "': the Java override did not run"
                + " (a known cause: jsii registers a subclass's overrides only after the JavaScript constructor"
                + " returns, so a hook the library calls from its constructor never reaches Java)");
        }
        if (override.contains("docker build")) {
            failures.add(OVERRIDE_STACK + ": the buildspec still has the library's docker build");
        }
        if (base.contains(MARKER) || !base.contains("docker build")) {
            failures.add(BASE_STACK + ": the buildspec is not the library's default");
        }

        Map<String, List<String>> defaultDeploy = new LinkedHashMap<>();
        defaultDeploy.put("Staging", List.of("Deploy/Lambda"));
        defaultDeploy.put("Production", List.of("Deploy/Lambda"));
        Map<String, List<String>> expectedOverride = new LinkedHashMap<>();
        expectedOverride.put("Staging", List.of("Deploy/Lambda"));
        expectedOverride.put("Production", List.of(DEPLOY_ACTION_MARKER + "/Lambda"));
        Map<String, List<String>> lambdaBase = deployActionsOf(assembly, LAMBDA_STACK);
        Map<String, List<String>> lambdaOverride = deployActionsOf(assembly, LAMBDA_OVERRIDE_STACK);
        if (!lambdaOverride.equals(expectedOverride)) {
            failures.add(LAMBDA_OVERRIDE_STACK + ": the deploy actions are " + lambdaOverride + ", expected " + expectedOverride
                + ": the Java override of createDeployAction() did not run, or its super call did not reach the library");
        }
        if (!lambdaBase.equals(defaultDeploy)) {
            failures.add(LAMBDA_STACK + ": the deploy actions are " + lambdaBase + ", not the library's default " + defaultDeploy);
        }
        Map<String, List<String>> expectedTests = new LinkedHashMap<>();
        expectedTests.put("Staging", List.of("PostDeployTests"));
        expectedTests.put("Production", List.of(TEST_ACTION_MARKER));
        Map<String, List<String>> actualTests = testActionsOf(assembly, LAMBDA_OVERRIDE_STACK);
        if (!actualTests.equals(expectedTests)) {
            failures.add(LAMBDA_OVERRIDE_STACK + ": the test actions are " + actualTests + ", expected " + expectedTests
                + ": the Java override of createTestAction() did not run, or its super call did not reach the library");
        }
        Map<String, Object> lambdaPhases = phasesOf(buildSpecObjectOf(assembly, LAMBDA_OVERRIDE_STACK));
        Map<String, Object> lambdaBasePhases = phasesOf(buildSpecObjectOf(assembly, LAMBDA_STACK));
        Object postBuild = lambdaPhases.get("post_build");
        if (!Map.of("commands", List.of(EXTENDED_BUILD_SPEC_COMMAND)).equals(postBuild)) {
            failures.add(LAMBDA_OVERRIDE_STACK + ": the buildspec's post_build is " + postBuild + ", expected the command '"
                + EXTENDED_BUILD_SPEC_COMMAND + "' the Java override of renderBuildSpecObject() adds");
        }
        if (!lambdaBasePhases.get("build").equals(lambdaPhases.get("build"))) {
            failures.add(LAMBDA_OVERRIDE_STACK + ": the extended buildspec lost the library's build phase");
        }
        failures.forEach(f -> System.err.println("FAIL " + f));
        if (!failures.isEmpty()) {
            System.exit(1);
        }
        List<String> stacks = new ArrayList<>();
        assembly.getStacks().forEach(stack -> stacks.add(stack.getStackName()));
        System.out.println("java app: synthesized " + String.join(", ", stacks) + " to " + outdir
            + "; overrides present (buildspec marker, deploy action name, test action name, extended buildspec);"
            + " cross-account deploy actions run as roles of their functions' accounts;"
            + " DeliveryPipelineErrors recognises the library's error from e.getMessage(); a throwing hook is named");
        System.exit(0);
    }
}
