import { CfnResource, Resource, Stack, Token } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct, IConstruct } from 'constructs';
import { targetScope, TargetEnvironment } from '../core/target-environment';
import { fail, show, warn } from '../core/validation';

/**
 * What can be known about an ECS service at synth time: everything when the service is
 * defined in the app, nearly nothing when it is imported. One place reads it for every
 * deployment kind. @internal
 */
export class ServiceInfo {
  constructor(public readonly service: ecs.IBaseService) {}

  /** The L1 service, when the service is defined in this app. */
  public get cfn(): ecs.CfnService | undefined {
    const child = this.service?.node.defaultChild;
    return child instanceof ecs.CfnService ? child : undefined;
  }

  /** The task definition, when the service is defined in this app. */
  public get taskDefinition(): ecs.TaskDefinition | undefined {
    return this.service instanceof ecs.BaseService ? this.service.taskDefinition : undefined;
  }

  /** Resolved deployment controller type ('ECS' when unset), undefined when unknowable. */
  public get deploymentController(): string | undefined {
    const cfn = this.cfn;
    if (!cfn) {
      return undefined;
    }
    return Stack.of(cfn).resolve(cfn.deploymentController)?.type ?? 'ECS';
  }

  /**
   * The CPU architecture the tasks run on ('X86_64' or 'ARM64'), when knowable: the task
   * definition's runtime platform, else X86_64 for a Fargate-only task definition (Fargate's
   * default). Undefined for an imported service, a token, or EC2 tasks without a runtime platform
   * (they run on whatever the instances are).
   */
  public get cpuArchitecture(): string | undefined {
    const td = this.taskDefinition;
    const cfn = td?.node.defaultChild;
    if (!td || !(cfn instanceof ecs.CfnTaskDefinition)) {
      return undefined;
    }
    const arch = Stack.of(cfn).resolve(cfn.runtimePlatform)?.cpuArchitecture;
    if (arch !== undefined) {
      return typeof arch === 'string' && !Token.isUnresolved(arch) ? arch : undefined;
    }
    return td.isFargateCompatible && !td.isEc2Compatible && !td.isExternalCompatible ? 'X86_64' : undefined;
  }

  /** Resolved deployment configuration of the service, when knowable. */
  public get deploymentConfiguration(): any {
    const cfn = this.cfn;
    return cfn ? Stack.of(cfn).resolve(cfn.deploymentConfiguration) ?? {} : undefined;
  }

  /** The roles the task definition passes to ECS (task role, execution role). */
  public taskRoles(given: iam.IRole[] | undefined): iam.IRole[] {
    const td = this.taskDefinition;
    if (!td) {
      return given ?? [];
    }
    return [td.taskRole, td.executionRole].filter((r): r is iam.IRole => r !== undefined);
  }

  /** The containers of the task definition (empty when unknowable). */
  public get containers(): ecs.ContainerDefinition[] {
    const td = this.taskDefinition;
    return td ? td.node.children.filter((c): c is ecs.ContainerDefinition => c instanceof ecs.ContainerDefinition) : [];
  }

  /**
   * The container whose image the pipeline replaces: the given one (checked against the task
   * definition when knowable), else the only essential container.
   */
  public containerName(scope: Construct, prop: string, given: string | undefined): string {
    if (!this.taskDefinition) {
      if (given === undefined) {
        fail(scope, `${prop}.containerName`, `is required: the service ${this.service?.node.path} is imported, so its containers cannot be read`,
          'pass containerName with the container that runs your image, e.g. { containerName: "web" }');
      }
      return given;
    }
    const containers = this.containers;
    if (given !== undefined) {
      if (!Token.isUnresolved(given) && !containers.some((c) => c.containerName === given)) {
        fail(scope, `${prop}.containerName`,
          `names no container of the service's task definition, got ${show(given)} (containers: ${containers.map((c) => c.containerName).join(', ') || 'none'})`,
          'pass the name of the container that runs your image');
      }
      return given;
    }
    const essential = containers.filter((c) => c.essential);
    if (essential.length !== 1) {
      fail(scope, `${prop}.containerName`,
        `cannot be determined: the service's task definition has ${essential.length} essential containers (${essential.map((c) => c.containerName).join(', ') || 'none'})`,
        'pass containerName naming the container that runs your image, e.g. EcsDeployment.rolling(service, { containerName })');
    }
    return essential[0].containerName;
  }

  /**
   * Whether the container's image (as rendered in the app) is from `repository`: true or false
   * when that can be told at synth time, undefined otherwise (imported service, unnamed imported
   * repository).
   */
  public imageIsFrom(containerName: string, repository: ecr.IRepository): boolean | undefined {
    const container = this.containers.find((c) => c.containerName === containerName);
    if (!container) {
      return undefined;
    }
    const rendered = JSON.stringify(Stack.of(container).resolve(container.imageName));
    const cfn = repository.node.defaultChild;
    if (cfn instanceof CfnResource && rendered.includes(`"${Stack.of(cfn).getLogicalId(cfn)}"`)) {
      return true;
    }
    // By name: an image of ecr.Repository.fromRepositoryName(scope, id, name) in the app.
    const name = cfn instanceof ecr.CfnRepository ? cfn.repositoryName : repository.repositoryName;
    if (name === undefined || Token.isUnresolved(name)) {
      return cfn instanceof CfnResource ? false : undefined;
    }
    return rendered.includes(`/${name}:`) || rendered.includes(`/${name}@`) || rendered.includes(`/${name}"`);
  }

  /** The container port for the load balancer: the given one, else the container's first mapping. */
  public containerPort(scope: Construct, prop: string, containerName: string, given: number | undefined): number {
    if (given !== undefined) {
      return given;
    }
    const container = this.containers.find((c) => c.containerName === containerName);
    const port = container?.portMappings[0]?.containerPort;
    if (port === undefined) {
      fail(scope, `${prop}.containerPort`, `cannot be determined: container ${show(containerName)} has no port mapping the pipeline can read`,
        'pass containerPort, the port the load balancer sends traffic to');
    }
    return port;
  }
}

/**
 * The one `iam:PassRole` statement an ECS deployment needs: exactly the task definition's
 * roles, passed only to ECS tasks. Undefined when there is no role to pass. @internal
 */
export function passTaskRolesStatement(roles: iam.IRole[]): iam.PolicyStatement | undefined {
  if (roles.length === 0) {
    return undefined;
  }
  return new iam.PolicyStatement({
    sid: 'PassOnlyTheTaskRoles',
    actions: ['iam:PassRole'],
    resources: roles.map((r) => r.roleArn),
    conditions: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
  });
}

/** The actions ECS documents for a task execution role pulling from a private ECR repository. */
const PULL_ACTIONS = ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'];

/**
 * A service of another account or region is named in the pipeline's stack (the deploy action's
 * configuration, the capture's variables) by its name and its cluster's: across environments no
 * CloudFormation reference reaches it, so both need a physical name (aws-cdk-lib would stop
 * with "Cannot use resource ... in a cross-environment fashion"). @internal
 */
export function validateNamedAcrossEnvironments(scope: Construct, prop: string, info: ServiceInfo, target: TargetEnvironment): void {
  if (!target.crossAccount && !target.crossRegion) {
    return;
  }
  const where = `${target.crossAccount ? `account ${target.account}` : ''}${target.crossAccount && target.crossRegion ? ', ' : ''}${target.crossRegion ? `region ${target.region}` : ''}`;
  if (hasNoPhysicalName(info.service)) {
    fail(scope, prop, `(${info.service.node.path}) is in ${where}, not the pipeline's, and has no serviceName, so the pipeline cannot name it there`,
      'give the service a serviceName (e.g. serviceName: "shop-web", or PhysicalName.GENERATE_IF_NEEDED) and its cluster a clusterName');
  }
  if (info.service.cluster && hasNoPhysicalName(info.service.cluster)) {
    fail(scope, `${prop}.cluster`, `(${info.service.cluster.node.path}) is in ${where}, not the pipeline's, and has no clusterName, so the pipeline cannot name it there`,
      'give the cluster a clusterName (e.g. clusterName: "shop", or PhysicalName.GENERATE_IF_NEEDED)');
  }
  if (!target.crossAccount) {
    // In another region of the pipeline's account, aws-cdk-lib keeps the deploy action's role in
    // the pipeline's stack: it passes the task definition's roles by their names.
    for (const role of info.taskRoles(undefined).filter(hasNoPhysicalName)) {
      fail(scope, prop, `(${info.service.node.path}) is in region ${target.region}, not the pipeline's, and its task definition's role ${role.node.path} has no roleName, ` +
        'so the deploy action\'s role (in the pipeline\'s region: same account) cannot name it when it passes the role to ECS',
      'give the role roleName: PhysicalName.GENERATE_IF_NEEDED (e.g. new FargateTaskDefinition(this, "Task", { taskRole: new iam.Role(this, "TaskRole", { roleName: PhysicalName.GENERATE_IF_NEEDED, ... }) }))');
    }
  }
}

/**
 * Whether a resource of the app has no physical name another environment can name it by (no name
 * given, nor PhysicalName.GENERATE_IF_NEEDED): aws-cdk-lib refuses a reference to it from another
 * account or region. Imported resources are named by what they were imported with. @internal
 */
export function hasNoPhysicalName(resource: IConstruct): boolean {
  return Resource.isResource(resource) && Resource.isOwnedResource(resource)
    && (resource as unknown as { _allowCrossEnvironment?: boolean })._allowCrossEnvironment === false;
}

/**
 * Let the service's task execution role pull the pipeline's image: the deploy files point the
 * service at `<repository>@sha256:...`, and without pull permission on that repository the
 * tasks stop with CannotPullContainerError.
 *
 * The policy lives in the pipeline's scope (not the role's stack) so that a service in another
 * stack of the same environment gets no reference back to the pipeline's stack (which already
 * references the service): no dependency cycle. No KMS permission is needed even for a
 * repository encrypted with a customer managed key: ECR decrypts layers through the KMS grants it
 * creates on the key for the repository (Amazon ECR User Guide, "Encryption at rest").
 *
 * A service in another account or region pulls the very image (same repository, same digest)
 * from the pipeline's registry: ECS pulls across regions, and across accounts when the
 * repository policy names the execution role (Amazon ECR User Guide, "Private repository policy
 * examples": allow another account to pull). That is chosen over ECR replication on purpose:
 * replication is asynchronous (a deployment that starts before the digest has arrived in the
 * target registry fails its first run), and the replication configuration and the destination's
 * registry policy are singletons of each account and region that the library would overwrite.
 * The role's own policy then lives in the role's account (the target's stack), naming the
 * repository by its (generated) physical name; the repository policy names the role by its ARN.
 *
 * For an imported service the execution role cannot be read: the pipeline warns with what to grant.
 * @internal
 */
export function grantExecutionRolePull(
  scope: Construct, id: string, prop: string, info: ServiceInfo, repository: ecr.IRepository, target?: TargetEnvironment,
): void {
  const td = info.taskDefinition;
  if (!td) {
    warn(scope, 'ExecutionRolePullNotGranted',
      `${prop}: the service ${info.service.node.path} is imported, so the pipeline cannot grant its task execution role pull access to the image. ` +
      `Grant the execution role ecr:BatchGetImage and ecr:GetDownloadUrlForLayer on the pipeline's repository (${repository.node.path}) ` +
      '(e.g. pipeline.repository.grantPull(executionRole)) and ecr:GetAuthorizationToken on "*", or its tasks stop with CannotPullContainerError' +
      (target?.crossAccount ? `, and add a repository policy statement that lets that role (account ${target.account}) pull` : '') + '.');
    return;
  }
  const role = td.obtainExecutionRole();
  const crossEnvironment = target !== undefined && (target.crossAccount || target.crossRegion);
  // Across accounts or regions the role's policy is created in the role's own environment (a
  // policy attaches to a role of its own stack's account only).
  const policyScope = crossEnvironment ? targetScope(scope, target, 'ExecutionRolePull') : scope;
  const policy = new iam.Policy(policyScope, id, {
    roles: [role],
    statements: [
      new iam.PolicyStatement({ sid: 'PullThePipelineImage', actions: PULL_ACTIONS, resources: [repository.repositoryArn] }),
      new iam.PolicyStatement({ sid: 'LogInToTheRegistry', actions: ['ecr:GetAuthorizationToken'], resources: ['*'] }),
    ],
  });
  if (target?.crossAccount) {
    allowPullFromAccount(scope, prop, repository, role, target);
  }
  // A new service starts its tasks at once: in its own stack, it waits for every policy of the
  // execution role (a task started before them fails to pull and counts against the circuit
  // breaker). Across stacks a dependency would be a cycle (the pipeline refers to the service).
  const service = info.service.node.defaultChild;
  if (service instanceof CfnResource) {
    const serviceStack = Stack.of(service);
    if (Stack.of(role) === serviceStack) {
      service.node.addDependency(role);
    }
    if (Stack.of(policy) === serviceStack) {
      service.node.addDependency(policy);
    }
  }
}

/**
 * The repository policy statement that lets one execution role of another account pull the
 * pipeline's image (the role's own policy allows it on its side). The role is named by its ARN:
 * its stack deploys before the pipeline's, so the principal exists when the policy is set.
 */
function allowPullFromAccount(scope: Construct, prop: string, repository: ecr.IRepository, role: iam.IRole, target: TargetEnvironment): void {
  if (hasNoPhysicalName(role)) {
    fail(scope, `${prop}.service`, `runs with the task execution role ${role.node.path}, which has no roleName, so the pipeline's repository policy in another account cannot name it`,
      'give the execution role roleName: PhysicalName.GENERATE_IF_NEEDED (the role ECS creates for a task definition has one)');
  }
  // One statement per role (two environments may share an execution role), each with its own Sid.
  const granted = PULL_GRANTED.get(repository) ?? new Set<string>();
  const roleArn = JSON.stringify(Stack.of(repository).resolve(role.roleArn));
  if (granted.has(roleArn)) {
    return;
  }
  granted.add(roleArn);
  PULL_GRANTED.set(repository, granted);
  const sid = `PullByExecutionRole${granted.size}Of${target.account}`;
  const added = repository.addToResourcePolicy(new iam.PolicyStatement({
    sid,
    principals: [new iam.ArnPrincipal(role.roleArn)],
    actions: PULL_ACTIONS,
  })).statementAdded;
  if (!added) {
    warn(scope, 'RepositoryPolicyNotAmended',
      `${prop}: the pipeline's repository ${repository.node.path} is imported, so the pipeline cannot let the task execution role ${role.node.path} ` +
      `of account ${target.account} pull from it. Add a repository policy statement allowing ${PULL_ACTIONS.join(' and ')} to that role, ` +
      'or its tasks stop with CannotPullContainerError.');
  }
}

/** The execution roles (resolved ARNs) each repository's policy already lets pull. */
const PULL_GRANTED = new WeakMap<ecr.IRepository, Set<string>>();
