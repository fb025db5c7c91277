/**
 * Resources whose creation (or first use right after creation) checks another resource's
 * permissions, and must therefore be created after it: each rule names the pairs of a template
 * and cites where the failure is documented. test/verification/creation-order.test.ts asserts
 * that every template orders each pair (DependsOn, or a Ref/GetAtt/Sub reference, transitively).
 */
import { policiesAttachedTo, TemplateModel } from './iam-eval';

/** One pair: `dependent` must be created after `prerequisite`. */
export interface OrderedPair {
  readonly dependent: string;
  readonly prerequisite: string;
  readonly rule: string;
}

/** A documented creation-order requirement. */
export interface OrderRule {
  readonly name: string;
  /** Where the failure is described. */
  readonly source: string;
  readonly quote: string;
  readonly pairs: (m: TemplateModel) => Array<{ dependent: string; prerequisite: string }>;
}

const asList = (v: any): any[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** The role a property names (Ref/GetAtt of a template role), if any. */
function roleOf(m: TemplateModel, value: any): string | undefined {
  const id = value === undefined ? undefined : m.logicalIdOf(value);
  return id && m.resource(id).Type === 'AWS::IAM::Role' ? id : undefined;
}

/** Pairs "resource after every policy attached to role". */
function afterRolePolicies(m: TemplateModel, dependent: string, role: string | undefined) {
  return role ? policiesAttachedTo(m, role).map((prerequisite) => ({ dependent, prerequisite })) : [];
}

/** The bucket policies of the bucket a value names (a Ref, or a literal bucket name of the template). */
function bucketPoliciesOf(m: TemplateModel, bucket: any): string[] {
  const name = m.canon(bucket);
  return m.idsOfType('AWS::S3::BucketPolicy').filter((id) => m.canon(m.resource(id).Properties.Bucket) === name);
}

export const ORDER_RULES: readonly OrderRule[] = [
  {
    name: 'notification rule after the topic policy of its SNS target',
    source: 'https://github.com/aws/aws-cdk/issues/29484',
    quote: 'it appears the NotificationRule will verify that it is able to send messages to the Topic and could fail if the TopicPolicy has not been deployed yet. ... "Invalid request provided: AWS::CodeStarNotifications::NotificationRule"',
    pairs: (m) => m.idsOfType('AWS::CodeStarNotifications::NotificationRule').flatMap((rule) =>
      asList(m.resource(rule).Properties?.Targets).filter((t) => t.TargetType === 'SNS').flatMap((t) => {
        const topic = m.canon(t.TargetAddress);
        return m.idsOfType('AWS::SNS::TopicPolicy')
          .filter((p) => asList(m.resource(p).Properties.Topics).some((x) => m.canon(x) === topic))
          .map((prerequisite) => ({ dependent: rule, prerequisite }));
      })),
  },
  {
    name: 'CodeDeploy deployment group after the policies of its service role',
    source: 'https://github.com/go-to-k/cdkd/pull/948',
    quote: 'Its create references the same-stack service role created ~1s earlier, and CodeDeploy validates the role ... at create time. (issue 12: "the CodeDeploy deployment group can be created before its role\'s only policy")',
    pairs: (m) => m.idsOfType('AWS::CodeDeploy::DeploymentGroup').flatMap((g) => afterRolePolicies(m, g, roleOf(m, m.resource(g).Properties?.ServiceRoleArn))),
  },
  {
    name: 'pipeline after the policies of its role and of its Source actions\' roles (its first execution starts on creation)',
    source: 'https://docs.aws.amazon.com/codepipeline/latest/userguide/pipelines-about-starting.html',
    quote: 'Pipeline creation: When a pipeline is created, a pipeline execution starts automatically. This is the CreatePipeline trigger type in the Execution history.',
    pairs: (m) => m.idsOfType('AWS::CodePipeline::Pipeline').flatMap((p) => {
      const props = m.resource(p).Properties;
      const roles = new Set<string | undefined>([roleOf(m, props.RoleArn)]);
      const first = asList(props.Stages)[0];
      for (const action of asList(first?.Actions)) {
        roles.add(roleOf(m, action.RoleArn));
      }
      return [...roles].flatMap((role) => afterRolePolicies(m, p, role));
    }),
  },
  {
    name: 'ECS service after the policies of its task execution role (its tasks start on creation)',
    source: 'https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_execution_IAM_role.html',
    quote: 'The task execution role grants the Amazon ECS container and Fargate agents permission to make AWS API calls on your behalf. ... pulls a container image from an Amazon ECR private repository ... sends container logs to CloudWatch Logs using the awslogs log driver.',
    pairs: (m) => m.idsOfType('AWS::ECS::Service').flatMap((svc) => {
      const ref = m.resource(svc).Properties?.TaskDefinition;
      const td = m.logicalIdOf(ref) ?? (typeof ref === 'string' ? m.idsOfType('AWS::ECS::TaskDefinition').find((id) => m.nameOf(id) === ref) : undefined);
      return td ? afterRolePolicies(m, svc, roleOf(m, m.resource(td).Properties?.ExecutionRoleArn)) : [];
    }),
  },
  {
    name: 'ECS service with a load balancer after a listener that forwards to its target group',
    source: 'https://github.com/aws/aws-cdk/issues/1160',
    quote: 'CREATE_FAILED | AWS::ECS::Service | ... The target group with targetGroupArn arn:aws:elasticloadbalancing:... does not have an associated load balancer. ... This is probably happening because the `AWS::ECS::Service` resource needs a `DependsOn` to the `AWS::ElasticLoadBalancingV2::ListenerRule`',
    pairs: (m) => m.idsOfType('AWS::ECS::Service').flatMap((svc) =>
      asList(m.resource(svc).Properties?.LoadBalancers).filter((lb) => lb.TargetGroupArn !== undefined).flatMap((lb) => {
        const tg = m.canon(lb.TargetGroupArn);
        const forwarding = [...m.idsOfType('AWS::ElasticLoadBalancingV2::Listener'), ...m.idsOfType('AWS::ElasticLoadBalancingV2::ListenerRule')]
          .filter((l) => JSON.stringify(m.resource(l).Properties ?? {}).includes(JSON.stringify(lb.TargetGroupArn)) || forwardsTo(m, l, tg));
        // Any one forwarding listener attaches the group: require that one of them is ordered.
        return forwarding.length > 0 ? [{ dependent: svc, prerequisite: forwarding.join('|') }] : [];
      })),
  },
  {
    name: 'Lambda function after the policies of its execution role',
    source: 'https://github.com/cloudposse/terraform-aws-lambda-function/issues/10',
    quote: 'When trying to create the lambda on a VPC the following error happens: `The provided execution role does not have permissions to call CreateNetworkInterface on EC2` ... we need the `CreateNetworkInterface` at creation time. (aws-cdk-lib makes every function depend on its role\'s default policy.)',
    pairs: (m) => m.idsOfType('AWS::Lambda::Function').flatMap((fn) => afterRolePolicies(m, fn, roleOf(m, m.resource(fn).Properties?.Role))),
  },
  {
    name: 'Lambda event source mapping after the policies of the function role',
    source: 'https://github.com/aws/aws-cdk/issues/6770',
    quote: 'When deploying, CFN fails to create the EventSource for the function with this error: "The provided execution role does not have permissions to call ReceiveMessage on SQS (Service: AWSLambda; Status Code: 400; Error Code: InvalidParameterValueException ...)"',
    pairs: (m) => m.idsOfType('AWS::Lambda::EventSourceMapping').flatMap((esm) => {
      const fn = m.logicalIdOf(m.resource(esm).Properties?.FunctionName);
      return fn && m.resource(fn).Type === 'AWS::Lambda::Function' ? afterRolePolicies(m, esm, roleOf(m, m.resource(fn).Properties?.Role)) : [];
    }),
  },
  {
    name: 'CodeBuild project in a VPC after the policies of its service role',
    source: 'https://github.com/aws/aws-cdk/issues/2652',
    quote: 'CREATE_FAILED | AWS::CodeBuild::Project | Not authorized to perform DescribeSecurityGroups (Service: AWSCodeBuild; Status Code: 400; Error Code: InvalidInputException)',
    pairs: (m) => m.idsOfType('AWS::CodeBuild::Project').filter((p) => m.resource(p).Properties?.VpcConfig !== undefined)
      .flatMap((p) => afterRolePolicies(m, p, roleOf(m, m.resource(p).Properties?.ServiceRole))),
  },
  {
    name: 'CloudTrail trail after the policy of its log bucket',
    source: 'https://github.com/aws/aws-cdk/issues/1172',
    quote: 'CloudTrail missing DependsOn ..., cdk deploy fails Incorrect S3 bucket policy is detected for bucket (InsufficientS3BucketPolicyException when calling the CreateTrail operation)',
    pairs: (m) => m.idsOfType('AWS::CloudTrail::Trail').flatMap((t) => bucketPoliciesOf(m, m.resource(t).Properties?.S3BucketName).map((prerequisite) => ({ dependent: t, prerequisite }))),
  },
  {
    name: 'load balancer with access logs after the policy of its log bucket',
    source: 'https://github.com/aws/aws-cdk/issues/5758',
    quote: 'Access Denied for bucket: <MyBucketName>. Please check S3bucket permission (Service: AmazonElasticLoadBalancingV2; Status Code: 400; Error Code: InvalidConfigurationRequest;)',
    pairs: (m) => m.idsOfType('AWS::ElasticLoadBalancingV2::LoadBalancer').flatMap((lb) => {
      const attrs = asList(m.resource(lb).Properties?.LoadBalancerAttributes);
      const enabled = attrs.some((a) => a.Key === 'access_logs.s3.enabled' && String(a.Value) === 'true');
      const bucket = attrs.find((a) => a.Key === 'access_logs.s3.bucket')?.Value;
      return enabled && bucket !== undefined ? bucketPoliciesOf(m, bucket).map((prerequisite) => ({ dependent: lb, prerequisite })) : [];
    }),
  },
  {
    name: 'bucket notifications after the policy of their SNS topic or SQS queue destination',
    source: 'https://github.com/aws/aws-cdk/pull/584',
    quote: 'Allow bucket notification destinations to specify dependency elements that are added to the bucket notification resource. This is to ensure that S3 will be able to validate the subscription when notifications are configured. (S3: "Unable to validate the following destination configurations")',
    pairs: (m) => [...m.idsOfType('AWS::S3::Bucket'), ...m.idsOfType('Custom::S3BucketNotifications')].flatMap((b) => {
      const r = m.resource(b);
      const conf = r.Type === 'AWS::S3::Bucket' ? r.Properties?.NotificationConfiguration : r.Properties?.NotificationConfiguration;
      const destinations = [
        ...asList(conf?.TopicConfigurations).map((c) => m.canon(c.Topic ?? c.TopicArn)),
        ...asList(conf?.QueueConfigurations).map((c) => m.canon(c.Queue ?? c.QueueArn)),
      ];
      const policies = [
        ...m.idsOfType('AWS::SNS::TopicPolicy').filter((p) => asList(m.resource(p).Properties.Topics).some((t) => destinations.includes(m.canon(t)))),
        ...m.idsOfType('AWS::SQS::QueuePolicy').filter((p) => asList(m.resource(p).Properties.Queues).some((q) => destinations.some((d) => d === m.canon(q) || d.endsWith(`:${m.canon(q).split('/').pop()}`)))),
      ];
      return policies.map((prerequisite) => ({ dependent: b, prerequisite }));
    }),
  },
];

/** Whether a listener or listener rule forwards to a target group (canonical ARN). */
function forwardsTo(m: TemplateModel, listener: string, targetGroupArn: string): boolean {
  const p = m.resource(listener).Properties ?? {};
  return [...asList(p.DefaultActions), ...asList(p.Actions)].some((a) =>
    (a.TargetGroupArn !== undefined && m.canon(a.TargetGroupArn) === targetGroupArn) ||
    asList(a.ForwardConfig?.TargetGroups).some((t) => m.canon(t.TargetGroupArn) === targetGroupArn));
}

/** Every logical id a value references (Ref, Fn::GetAtt, ${X} / ${X.Attr} in Fn::Sub). */
export function referencesIn(value: any, ids: Set<string>, out: Set<string> = new Set()): Set<string> {
  if (Array.isArray(value)) {
    value.forEach((v) => referencesIn(v, ids, out));
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === 'Ref' && typeof v === 'string' && ids.has(v)) {
        out.add(v);
      } else if (k === 'Fn::GetAtt') {
        const id = Array.isArray(v) ? v[0] : String(v).split('.')[0];
        if (ids.has(id)) {
          out.add(id);
        }
      } else if (k === 'Fn::Sub') {
        const text = Array.isArray(v) ? v[0] : v;
        for (const match of String(text).matchAll(/\$\{([^}!.]+)(\.[^}]*)?\}/g)) {
          if (ids.has(match[1])) {
            out.add(match[1]);
          }
        }
        if (Array.isArray(v)) {
          referencesIn(v[1], ids, out);
        }
      } else {
        referencesIn(v, ids, out);
      }
    }
  }
  return out;
}

/** The direct creation dependencies of every resource: DependsOn plus references. */
export function dependencyGraph(template: any): Map<string, Set<string>> {
  const resources: Record<string, any> = template.Resources ?? {};
  const ids = new Set(Object.keys(resources));
  const graph = new Map<string, Set<string>>();
  for (const [id, r] of Object.entries(resources)) {
    const deps = referencesIn(r.Properties ?? {}, ids);
    for (const d of asList(r.DependsOn)) {
      deps.add(d);
    }
    graph.set(id, deps);
  }
  return graph;
}

/** Whether `from` is created after `to` (a path of dependencies from `from` to `to`). */
export function createdAfter(graph: Map<string, Set<string>>, from: string, to: string): boolean {
  const seen = new Set<string>();
  const stack = [...(graph.get(from) ?? [])];
  while (stack.length > 0) {
    const next = stack.pop()!;
    if (next === to) {
      return true;
    }
    if (!seen.has(next)) {
      seen.add(next);
      stack.push(...(graph.get(next) ?? []));
    }
  }
  return false;
}

/** Every pair a template leaves unordered, as messages (none: all ordered). */
export function unorderedPairs(m: TemplateModel, rules: readonly OrderRule[] = ORDER_RULES): string[] {
  const graph = dependencyGraph(m.template);
  const out: string[] = [];
  for (const rule of rules) {
    for (const { dependent, prerequisite } of rule.pairs(m)) {
      // `a|b`: any one of several prerequisites suffices.
      const options = prerequisite.split('|');
      if (!options.some((p) => createdAfter(graph, dependent, p))) {
        out.push(`${dependent} is not created after ${options.join(' or ')} (${rule.name}; ${rule.source})`);
      }
    }
  }
  return out;
}

/** Every pair the rules find in a template (ordered or not). */
export function allPairs(m: TemplateModel, rules: readonly OrderRule[] = ORDER_RULES): OrderedPair[] {
  return rules.flatMap((rule) => rule.pairs(m).map((p) => ({ ...p, rule: rule.name })));
}
