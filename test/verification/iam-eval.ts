/**
 * A small IAM policy evaluator over synthesized CloudFormation templates, for the verification
 * gates: does this role's policy allow this action on this resource, with this request context?
 *
 * Templates hold ARNs as intrinsics (`{"Fn::GetAtt": ["Repo", "Arn"]}`, `Fn::Join` of `Ref`s),
 * so values are first canonicalized into ARN strings with symbolic parts: a resource's physical
 * name becomes the token «LogicalId» (an attribute other than the name «LogicalId.Attr»), and
 * `Ref`/`Fn::GetAtt ... Arn` of the resource types the pipelines use expand to the ARN AWS
 * gives them (an ECR repository's Arn is `arn:aws:ecr:<region>:<account>:repository/«Repo»`).
 * A statement's `Resource` and the resource a request names are canonicalized the same way, so
 * `{"Fn::GetAtt": ["Repo", "Arn"]}` covers the repository Repo, `arn:...:repository/*` covers it
 * too, and `{"Fn::Join": ["", [<bucket arn>, "/*"]]}` covers the bucket's objects.
 *
 * Matching (IAM semantics, conservative where a token hides a value): `*` in a pattern matches
 * any sequence (tokens included), `?` one literal character (never a token, whose length is
 * unknown), a token only the same token. A `*` in the requested resource stands for "every such
 * resource" and is matched only by a pattern `*`.
 *
 * Several templates of one app (AppModel, each template with its own `scope`, so tokens of two
 * templates never match) are judged together: a role of one template may use a resource of
 * another, in another account or region; the resource's policies (bucket, key, repository, topic
 * policies and role trust policies) are taken from the template that defines it, and a KMS alias
 * ARN stands for its key. Across accounts, as IAM's "Cross-account policy evaluation logic"
 * states it, the role's identity policy AND the resource's policy must allow (authorize).
 *
 * Evaluation: an explicit Deny wins, then any Allow, else implicit deny. Supported: Effect,
 * Action/NotAction, Resource/NotResource, Principal (resource policies), and the condition
 * operators String(Not)Equals(IgnoreCase), String(Not)Like, Arn(Not)Equals, Arn(Not)Like, Bool,
 * Null, each with `IfExists`, and the `ForAnyValue:`/`ForAllValues:` set prefixes. Anything
 * else throws, so an unsupported policy fails the gate instead of being misjudged.
 */

import { AWS_MANAGED_POLICIES } from './managed-policies';

/** The stack environment that pseudo parameters resolve to. */
export interface StackEnv {
  readonly account: string;
  readonly region: string;
  readonly partition?: string;
  readonly urlSuffix?: string;
  /**
   * The template's name among the templates of one app (its stack name), when several are
   * judged together (AppModel): its tokens are then «scope|LogicalId», so two templates'
   * resources with the same logical id never match each other.
   */
  readonly scope?: string;
}

const OPEN = '\u00ab';
const CLOSE = '\u00bb';

/** The symbolic token for a resource's physical name (attr omitted) or one of its attributes (in a template with `scope`, pass it). */
export function token(logicalId: string, attr?: string, scope?: string): string {
  return `${OPEN}${scope !== undefined ? `${scope}|` : ''}${logicalId}${attr ? `.${attr}` : ''}${CLOSE}`;
}

/** Where a resource type's name property is and how its ARN is built from the name. */
interface TypeInfo {
  /** Property holding a user-given physical name, if any. */
  readonly nameProperty?: string;
  /** Whether `Ref` returns the ARN (else the name). */
  readonly refIsArn?: boolean;
  /** The ARN from the (canonical) name; undefined when the type has no ARN form here. */
  readonly arn?: (name: string, m: TemplateModel, logicalId: string) => string;
  /** Other attributes. */
  readonly attrs?: Record<string, (name: string, m: TemplateModel, logicalId: string) => string>;
}

const TYPES: Record<string, TypeInfo> = {
  'AWS::S3::Bucket': {
    nameProperty: 'BucketName',
    arn: (n, m) => `arn:${m.partition}:s3:::${n}`,
    attrs: {
      DomainName: (n) => `${n}.s3.amazonaws.com`,
      RegionalDomainName: (n, m) => `${n}.s3.${m.region}.amazonaws.com`,
    },
  },
  'AWS::KMS::Key': { arn: (n, m) => `arn:${m.partition}:kms:${m.region}:${m.account}:key/${n}`, attrs: { KeyId: (n) => n } },
  'AWS::ECR::Repository': {
    nameProperty: 'RepositoryName',
    arn: (n, m) => `arn:${m.partition}:ecr:${m.region}:${m.account}:repository/${n}`,
    attrs: { RepositoryUri: (n, m) => `${m.account}.dkr.ecr.${m.region}.${m.urlSuffix}/${n}` },
  },
  'AWS::CodeBuild::Project': { nameProperty: 'Name', arn: (n, m) => `arn:${m.partition}:codebuild:${m.region}:${m.account}:project/${n}` },
  'AWS::CodeBuild::ReportGroup': {
    nameProperty: 'Name',
    refIsArn: true,
    arn: (n, m) => `arn:${m.partition}:codebuild:${m.region}:${m.account}:report-group/${n}`,
  },
  'AWS::ECS::Cluster': { nameProperty: 'ClusterName', arn: (n, m) => `arn:${m.partition}:ecs:${m.region}:${m.account}:cluster/${n}` },
  'AWS::ECS::Service': {
    nameProperty: 'ServiceName',
    refIsArn: true,
    arn: (n, m, id) => `arn:${m.partition}:ecs:${m.region}:${m.account}:service/${m.clusterNameOf(id)}/${n}`,
    attrs: { Name: (n) => n },
  },
  'AWS::ECS::TaskDefinition': {
    nameProperty: 'Family',
    refIsArn: true,
    arn: (n, m, id) => `arn:${m.partition}:ecs:${m.region}:${m.account}:task-definition/${n}:${m.tok(id, 'Revision')}`,
  },
  'AWS::IAM::Role': { nameProperty: 'RoleName', arn: (n, m, id) => `arn:${m.partition}:iam::${m.account}:role${m.rolePathOf(id)}${n}` },
  'AWS::IAM::ManagedPolicy': {
    nameProperty: 'ManagedPolicyName',
    refIsArn: true,
    arn: (n, m) => `arn:${m.partition}:iam::${m.account}:policy/${n}`,
  },
  'AWS::Lambda::Function': { nameProperty: 'FunctionName', arn: (n, m) => `arn:${m.partition}:lambda:${m.region}:${m.account}:function:${n}` },
  'AWS::Lambda::Alias': {
    refIsArn: true,
    arn: (_n, m, id) => `${m.functionArnOf(m.resource(id).Properties?.FunctionName)}:${m.canon(m.resource(id).Properties?.Name)}`,
  },
  'AWS::Lambda::Version': {
    refIsArn: true,
    arn: (_n, m, id) => `${m.functionArnOf(m.resource(id).Properties?.FunctionName)}:${m.tok(id, 'Version')}`,
    attrs: { Version: (_n, m, id) => m.tok(id, 'Version') },
  },
  'AWS::SNS::Topic': {
    nameProperty: 'TopicName',
    refIsArn: true,
    arn: (n, m) => `arn:${m.partition}:sns:${m.region}:${m.account}:${n}`,
    attrs: { TopicName: (n) => n },
  },
  'AWS::SQS::Queue': { nameProperty: 'QueueName', arn: (n, m) => `arn:${m.partition}:sqs:${m.region}:${m.account}:${n}` },
  // A log group's Arn attribute ends in `:*` (every stream of the group).
  'AWS::Logs::LogGroup': { nameProperty: 'LogGroupName', arn: (n, m) => `arn:${m.partition}:logs:${m.region}:${m.account}:log-group:${n}:*` },
  'AWS::CloudWatch::Alarm': { nameProperty: 'AlarmName', arn: (n, m) => `arn:${m.partition}:cloudwatch:${m.region}:${m.account}:alarm:${n}` },
  'AWS::CodePipeline::Pipeline': { nameProperty: 'Name', arn: (n, m) => `arn:${m.partition}:codepipeline:${m.region}:${m.account}:${n}` },
  'AWS::CodeDeploy::Application': { nameProperty: 'ApplicationName' },
  'AWS::CodeDeploy::DeploymentGroup': { nameProperty: 'DeploymentGroupName' },
  'AWS::CloudFront::Distribution': { arn: (n, m) => `arn:${m.partition}:cloudfront::${m.account}:distribution/${n}` },
  'AWS::ElasticLoadBalancingV2::Listener': {
    refIsArn: true,
    arn: (n, m) => `arn:${m.partition}:elasticloadbalancing:${m.region}:${m.account}:listener/${n}`,
  },
  'AWS::ElasticLoadBalancingV2::TargetGroup': {
    refIsArn: true,
    arn: (n, m) => `arn:${m.partition}:elasticloadbalancing:${m.region}:${m.account}:targetgroup/${n}`,
    attrs: { TargetGroupName: (n) => n },
  },
  'AWS::ElasticLoadBalancingV2::LoadBalancer': {
    refIsArn: true,
    arn: (n, m) => `arn:${m.partition}:elasticloadbalancing:${m.region}:${m.account}:loadbalancer/${n}`,
  },
  'AWS::SecretsManager::Secret': { refIsArn: true, arn: (n, m) => `arn:${m.partition}:secretsmanager:${m.region}:${m.account}:secret:${n}` },
  'AWS::SSM::Parameter': { nameProperty: 'Name', arn: (n, m) => `arn:${m.partition}:ssm:${m.region}:${m.account}:parameter/${n.replace(/^\//, '')}` },
  'AWS::CodeStarConnections::Connection': {
    refIsArn: true,
    arn: (n, m) => `arn:${m.partition}:codeconnections:${m.region}:${m.account}:connection/${n}`,
  },
};

/** A synthesized template, with the canonicalization of its values. */
export class TemplateModel {
  public readonly account: string;
  public readonly region: string;
  public readonly partition: string;
  public readonly urlSuffix: string;
  /** The template's name in its app (StackEnv.scope), when it is judged with others. */
  public readonly scope?: string;
  private readonly resources: Record<string, any>;
  private depth = 0;

  constructor(public readonly template: any, private readonly env: StackEnv) {
    this.resources = template.Resources ?? {};
    this.account = env.account;
    this.region = env.region;
    this.partition = env.partition ?? 'aws';
    this.urlSuffix = env.urlSuffix ?? 'amazonaws.com';
    this.scope = env.scope;
  }

  /** A model of another template in the same environment and scope (a modified copy of this one). */
  public withTemplate(template: any): TemplateModel {
    return new TemplateModel(template, this.env);
  }

  /** This template's token for a resource (or parameter) name or attribute. */
  public tok(logicalId: string, attr?: string): string {
    return token(logicalId, attr, this.scope);
  }

  /** The template resource with this logical id (throws when absent). */
  public resource(logicalId: string): any {
    const r = this.resources[logicalId];
    if (!r) {
      throw new Error(`no resource ${logicalId} in the template`);
    }
    return r;
  }

  /** Whether the template has this resource. */
  public has(logicalId: string): boolean {
    return this.resources[logicalId] !== undefined;
  }

  /** Logical ids of every resource of a type. */
  public idsOfType(type: string): string[] {
    return Object.keys(this.resources).filter((id) => this.resources[id].Type === type);
  }

  /** The canonical string of a template value (literal, pseudo parameter or intrinsic). */
  public canon(value: any): string {
    if (this.depth > 20) {
      throw new Error(`canonicalization too deep at ${JSON.stringify(value)}`);
    }
    this.depth++;
    try {
      return this.canonInner(value);
    } finally {
      this.depth--;
    }
  }

  /** The name token (or literal name) of a resource. */
  public nameOf(logicalId: string): string {
    const r = this.resource(logicalId);
    const info = TYPES[r.Type];
    const named = info?.nameProperty ? r.Properties?.[info.nameProperty] : undefined;
    return named !== undefined ? this.canon(named) : this.tok(logicalId);
  }

  /** The canonical ARN of a resource of the template. */
  public arnOf(logicalId: string): string {
    const r = this.resource(logicalId);
    const info = TYPES[r.Type];
    if (!info?.arn) {
      return this.tok(logicalId, 'Arn');
    }
    return info.arn(this.nameOf(logicalId), this, logicalId);
  }

  /** The logical id a `Ref` or `Fn::GetAtt [X, Arn]` (or an ARN/name that is exactly such a value) names, if any. */
  public logicalIdOf(value: any): string | undefined {
    if (value?.Ref !== undefined && this.has(value.Ref)) {
      return value.Ref;
    }
    if (Array.isArray(value?.['Fn::GetAtt']) && this.has(value['Fn::GetAtt'][0])) {
      return value['Fn::GetAtt'][0];
    }
    return undefined;
  }

  /** @internal the cluster name of an ECS service (for its ARN). */
  public clusterNameOf(serviceId: string): string {
    const cluster = this.resource(serviceId).Properties?.Cluster;
    if (cluster === undefined) {
      return 'default';
    }
    const c = this.canon(cluster);
    const m = /:cluster\/(.+)$/.exec(c);
    return m ? m[1] : c;
  }

  /** @internal a role's path, `/` by default. */
  public rolePathOf(roleId: string): string {
    const path = this.resource(roleId).Properties?.Path;
    return path === undefined ? '/' : this.canon(path);
  }

  /** @internal the unqualified function ARN from a Lambda FunctionName property (name, ARN or intrinsic). */
  public functionArnOf(fn: any): string {
    const c = this.canon(fn);
    return c.startsWith('arn:') ? c : `arn:${this.partition}:lambda:${this.region}:${this.account}:function:${c}`;
  }

  private canonInner(value: any): string {
    if (typeof value === 'string') {
      return value;
    }
    if (typeof value === 'number' || typeof value === 'boolean') {
      return String(value);
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw new Error(`cannot canonicalize ${JSON.stringify(value)}`);
    }
    const keys = Object.keys(value);
    if (keys.length !== 1) {
      throw new Error(`not an intrinsic: ${JSON.stringify(value)}`);
    }
    const [fn] = keys;
    const arg = value[fn];
    switch (fn) {
      case 'Ref':
        return this.ref(arg);
      case 'Fn::GetAtt':
        return this.getAtt(Array.isArray(arg) ? arg[0] : String(arg).split('.')[0], Array.isArray(arg) ? arg[1] : String(arg).split('.').slice(1).join('.'));
      case 'Fn::Join':
        return (arg[1] as any[]).map((part) => this.canon(part)).join(arg[0]);
      case 'Fn::Select': {
        const list = this.list(arg[1]);
        const index = Number(this.canon(arg[0]));
        if (!(index >= 0 && index < list.length)) {
          throw new Error(`Fn::Select index ${index} out of ${JSON.stringify(list)}`);
        }
        return list[index];
      }
      case 'Fn::Sub':
        return this.sub(Array.isArray(arg) ? arg[0] : arg, Array.isArray(arg) ? arg[1] ?? {} : {});
      case 'Fn::ImportValue':
        return token(`Import:${this.canon(arg)}`);
      default:
        throw new Error(`unsupported intrinsic ${fn} in ${JSON.stringify(value)}`);
    }
  }

  private list(value: any): string[] {
    if (Array.isArray(value)) {
      return value.map((v) => this.canon(v));
    }
    if (value?.['Fn::Split']) {
      const [delimiter, source] = value['Fn::Split'];
      return this.canon(source).split(delimiter);
    }
    if (value?.['Fn::GetAZs'] !== undefined) {
      throw new Error('Fn::GetAZs is not modelled');
    }
    throw new Error(`not a list: ${JSON.stringify(value)}`);
  }

  private ref(name: string): string {
    switch (name) {
      case 'AWS::AccountId': return this.account;
      case 'AWS::Region': return this.region;
      case 'AWS::Partition': return this.partition;
      case 'AWS::URLSuffix': return this.urlSuffix;
      case 'AWS::StackName': return this.tok('AWS::StackName');
      case 'AWS::StackId': return this.tok('AWS::StackId');
      case 'AWS::NoValue': throw new Error('AWS::NoValue in a value position');
      default: break;
    }
    if (!this.has(name)) {
      // A parameter (or an unknown name): opaque.
      return this.tok(name);
    }
    const info = TYPES[this.resource(name).Type];
    return info?.refIsArn && info.arn ? this.arnOf(name) : this.nameOf(name);
  }

  private getAtt(id: string, attr: string): string {
    if (!this.has(id)) {
      return this.tok(id, attr);
    }
    const info = TYPES[this.resource(id).Type];
    if (info?.attrs?.[attr]) {
      return info.attrs[attr](this.nameOf(id), this, id);
    }
    if (/^(Arn|[A-Za-z]+Arn)$/.test(attr) && info?.arn) {
      return this.arnOf(id);
    }
    return this.tok(id, attr);
  }

  private sub(text: string, vars: Record<string, any>): string {
    return text.replace(/\$\{([^}!][^}]*)\}/g, (_m, expr: string) => {
      if (vars[expr] !== undefined) {
        return this.canon(vars[expr]);
      }
      const [id, ...attr] = expr.split('.');
      return attr.length > 0 ? this.getAtt(id, attr.join('.')) : this.ref(id);
    });
  }
}

/** One unit of a canonical string: a character or a whole token. */
type Unit = { readonly char: string } | { readonly token: string };

function units(value: string): Unit[] {
  const out: Unit[] = [];
  for (let i = 0; i < value.length; i++) {
    if (value[i] === OPEN) {
      const end = value.indexOf(CLOSE, i);
      if (end < 0) {
        throw new Error(`unterminated token in ${value}`);
      }
      out.push({ token: value.slice(i, end + 1) });
      i = end;
    } else {
      out.push({ char: value[i] });
    }
  }
  return out;
}

/**
 * Whether an IAM pattern (with `*` and `?`) covers a canonical value. Tokens are opaque: only the
 * same token or a `*` matches one. `ignoreCase` for action names (IAM matches them so).
 */
export function matches(pattern: string, value: string, ignoreCase = false): boolean {
  const p = units(ignoreCase ? pattern.toLowerCase() : pattern);
  const v = units(ignoreCase ? value.toLowerCase() : value);
  // memoized recursion over (i, j)
  const memo = new Map<number, boolean>();
  const go = (i: number, j: number): boolean => {
    const key = i * (v.length + 1) + j;
    const known = memo.get(key);
    if (known !== undefined) {
      return known;
    }
    let result: boolean;
    if (i === p.length) {
      result = j === v.length;
    } else {
      const u = p[i];
      if ('char' in u && u.char === '*') {
        result = go(i + 1, j) || (j < v.length && go(i, j + 1));
      } else if (j === v.length) {
        result = false;
      } else {
        const w = v[j];
        if ('token' in u) {
          result = 'token' in w && w.token === u.token && go(i + 1, j + 1);
        } else if (u.char === '?') {
          result = 'char' in w && w.char !== '*' && go(i + 1, j + 1);
        } else {
          result = 'char' in w && w.char === u.char && (u.char !== '*') && go(i + 1, j + 1);
        }
      }
    }
    memo.set(key, result);
    return result;
  };
  return go(0, 0);
}

/** A request to authorize. */
export interface AuthRequest {
  /** e.g. `ecr:BatchGetImage`. */
  readonly action: string;
  /** Canonical resource ARN, or `*` for actions without resource types. */
  readonly resource: string;
  /** Request context keys (case-insensitive names), canonical values. */
  readonly context?: Record<string, string | string[] | boolean | undefined>;
}

/** A principal making requests: its canonical ARN and account, for resource policies. */
export interface Principal {
  readonly arn: string;
  readonly account: string;
}

/** What the evaluation decided, and which statement decided it. */
export interface Decision {
  readonly decision: 'allow' | 'explicit-deny' | 'implicit-deny';
  readonly statement?: any;
}

const asList = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** Whether one statement applies to the request (ignoring Effect and Principal). */
export function statementApplies(m: TemplateModel, statement: any, request: AuthRequest): boolean {
  const actionOk = statement.NotAction !== undefined
    ? !asList<string>(statement.NotAction).some((a) => matches(m.canon(a), request.action, true))
    : asList<string>(statement.Action).some((a) => matches(m.canon(a), request.action, true));
  if (!actionOk) {
    return false;
  }
  const resourceOk = statement.NotResource !== undefined
    ? !asList(statement.NotResource).some((r) => matches(m.canon(r), request.resource))
    : asList(statement.Resource).some((r) => matches(m.canon(r), request.resource));
  if (!resourceOk) {
    return false;
  }
  return conditionsHold(m, statement.Condition ?? {}, request.context ?? {});
}

/** Whether every condition of a statement holds for the context. */
export function conditionsHold(m: TemplateModel, condition: Record<string, Record<string, any>>, context: AuthRequest['context'] & {}): boolean {
  const ctx = new Map<string, string[]>();
  for (const [k, v] of Object.entries(context)) {
    if (v !== undefined) {
      ctx.set(k.toLowerCase(), asList(v as any).map((x) => String(x)));
    }
  }
  return Object.entries(condition).every(([op, block]) =>
    Object.entries(block).every(([key, expected]) => operatorHolds(op, ctx.get(key.toLowerCase()), asList(expected).map((e) => m.canon(e)))));
}

function operatorHolds(fullOp: string, actual: string[] | undefined, expected: string[]): boolean {
  let op = fullOp;
  let set: 'any' | 'all' | undefined;
  if (op.startsWith('ForAnyValue:')) {
    set = 'any';
    op = op.slice('ForAnyValue:'.length);
  } else if (op.startsWith('ForAllValues:')) {
    set = 'all';
    op = op.slice('ForAllValues:'.length);
  }
  const ifExists = op.endsWith('IfExists');
  if (ifExists) {
    op = op.slice(0, -'IfExists'.length);
  }
  if (op === 'Null') {
    const wantsAbsent = expected.map((e) => e.toLowerCase()).includes('true');
    return wantsAbsent ? actual === undefined : actual !== undefined;
  }
  if (actual === undefined) {
    // A missing key: IfExists and the negated operators hold, the others do not.
    return ifExists || /Not/.test(op) || set === 'all';
  }
  const one = (value: string): boolean => {
    switch (op) {
      case 'StringEquals': return expected.includes(value);
      case 'StringNotEquals': return !expected.includes(value);
      case 'StringEqualsIgnoreCase': return expected.some((e) => e.toLowerCase() === value.toLowerCase());
      case 'StringNotEqualsIgnoreCase': return !expected.some((e) => e.toLowerCase() === value.toLowerCase());
      case 'StringLike': return expected.some((e) => matches(e, value));
      case 'StringNotLike': return !expected.some((e) => matches(e, value));
      // In IAM, ArnEquals and ArnLike behave the same (wildcards allowed in each segment).
      case 'ArnEquals': case 'ArnLike': return expected.some((e) => matches(e, value));
      case 'ArnNotEquals': case 'ArnNotLike': return !expected.some((e) => matches(e, value));
      case 'Bool': return expected.map((e) => e.toLowerCase()).includes(value.toLowerCase());
      default: throw new Error(`unsupported condition operator ${fullOp}`);
    }
  };
  if (set === 'all') {
    return actual.every(one);
  }
  if (set === 'any') {
    return actual.some(one);
  }
  // A single-valued key: every value must satisfy (there is one).
  return actual.every(one);
}

/** Evaluate identity-policy statements (Principal ignored). */
export function evaluate(m: TemplateModel, statements: any[], request: AuthRequest): Decision {
  let allow: any;
  for (const s of statements) {
    if (!statementApplies(m, s, request)) {
      continue;
    }
    if (s.Effect === 'Deny') {
      return { decision: 'explicit-deny', statement: s };
    }
    if (s.Effect === 'Allow') {
      allow ??= s;
    } else {
      throw new Error(`statement without a valid Effect: ${JSON.stringify(s)}`);
    }
  }
  return allow ? { decision: 'allow', statement: allow } : { decision: 'implicit-deny' };
}

/** How a resource-policy statement's Principal relates to a principal. */
export function principalMatch(m: TemplateModel, statementPrincipal: any, who: Principal): 'exact' | 'account' | 'none' {
  if (statementPrincipal === '*') {
    return 'exact';
  }
  const aws = asList(statementPrincipal?.AWS).map((p) => m.canon(p));
  if (aws.some((p) => p === '*' || p === who.arn)) {
    return 'exact';
  }
  if (aws.some((p) => p === who.account || p === `arn:${m.partition}:iam::${who.account}:root`)) {
    return 'account';
  }
  return 'none';
}

/** Resource-based policy statements, with the statement's own Principal kept. */
export interface ResourcePolicy {
  /** 'kms' (a key policy: IAM policies count only when the key delegates to the account) or 'other'. */
  readonly kind: 'kms' | 'other';
  readonly statements: any[];
  /** The template the statements are canonicalized in (default: the identity's template). */
  readonly m?: TemplateModel;
}

/**
 * The full decision, as IAM's policy evaluation logic gives it. An explicit Deny in the identity
 * policy or a resource policy wins. Then:
 *
 * - Same account (`resourceAccount` is the principal's, the default): a KMS key needs its key
 *   policy to allow the principal, or to delegate to the account (the account root as principal)
 *   and the identity policy to allow; other resources need either policy to allow.
 * - Another account ("Cross-account policy evaluation logic": "the principal must be allowed by
 *   an identity-based policy in the trusted account and by a resource-based policy in the
 *   trusting account"): the identity policy must allow AND a resource policy must allow the
 *   principal (by its ARN, or by its account, which that account's IAM policy then delegates).
 *   A resource with no resource policy cannot be used from another account.
 */
export function authorize(
  m: TemplateModel, identity: any[], resourcePolicies: ResourcePolicy[], who: Principal, request: AuthRequest, resourceAccount: string = who.account,
): Decision {
  const id = evaluate(m, identity, request);
  if (id.decision === 'explicit-deny') {
    return id;
  }
  let resourceAllow: any;
  let delegated = false;
  let isKms = false;
  for (const policy of resourcePolicies) {
    isKms ||= policy.kind === 'kms';
    const pm = policy.m ?? m;
    for (const s of policy.statements) {
      const p = principalMatch(pm, s.Principal, who);
      if (p === 'none' || !statementApplies(pm, s, request)) {
        continue;
      }
      if (s.Effect === 'Deny') {
        return { decision: 'explicit-deny', statement: s };
      }
      if (p === 'exact') {
        resourceAllow ??= s;
      } else {
        // The account as principal delegates to the account's IAM policies: no grant by itself.
        delegated = true;
      }
    }
  }
  if (resourceAccount !== who.account) {
    if (id.decision !== 'allow') {
      return { decision: 'implicit-deny' };
    }
    return resourceAllow || delegated ? id : { decision: 'implicit-deny' };
  }
  if (isKms) {
    if (resourceAllow) {
      return { decision: 'allow', statement: resourceAllow };
    }
    return delegated && id.decision === 'allow' ? id : { decision: 'implicit-deny' };
  }
  if (id.decision === 'allow') {
    return id;
  }
  return resourceAllow ? { decision: 'allow', statement: resourceAllow } : { decision: 'implicit-deny' };
}

/** Every identity-policy statement that applies to a role of the template. */
export function roleStatements(m: TemplateModel, roleId: string): any[] {
  const role = m.resource(roleId);
  if (role.Type !== 'AWS::IAM::Role') {
    throw new Error(`${roleId} is a ${role.Type}, not an AWS::IAM::Role`);
  }
  const docs: any[] = [];
  for (const inline of asList<any>(role.Properties?.Policies)) {
    docs.push(inline.PolicyDocument);
  }
  for (const arn of asList<any>(role.Properties?.ManagedPolicyArns)) {
    const managed = m.logicalIdOf(arn);
    if (managed && m.resource(managed).Type === 'AWS::IAM::ManagedPolicy') {
      docs.push(m.resource(managed).Properties.PolicyDocument);
    } else {
      // An AWS managed policy: only the ones whose published document the gates hold.
      const name = new RegExp(`^arn:${m.partition}:iam::aws:policy/(.+)$`).exec(m.canon(arn))?.[1];
      const known = name !== undefined ? AWS_MANAGED_POLICIES[name] : undefined;
      if (!known) {
        throw new Error(`${roleId} has managed policy ${JSON.stringify(arn)} whose statements are not in the template (add its published document to managed-policies.ts)`);
      }
      docs.push({ Statement: known.statements });
    }
  }
  for (const id of [...m.idsOfType('AWS::IAM::Policy'), ...m.idsOfType('AWS::IAM::ManagedPolicy')]) {
    const p = m.resource(id).Properties ?? {};
    if (asList<any>(p.Roles).some((r) => m.logicalIdOf(r) === roleId || m.canon(r) === m.nameOf(roleId))) {
      docs.push(p.PolicyDocument);
    }
  }
  return docs.flatMap((d) => asList((typeof d === 'string' ? JSON.parse(d) : d)?.Statement));
}

/** Every policy in the template that attaches statements to a role (AWS::IAM::Policy / ManagedPolicy with it in Roles). */
export function policiesAttachedTo(m: TemplateModel, roleId: string): string[] {
  return [...m.idsOfType('AWS::IAM::Policy'), ...m.idsOfType('AWS::IAM::ManagedPolicy')].filter((id) =>
    asList<any>(m.resource(id).Properties?.Roles).some((r) => m.logicalIdOf(r) === roleId));
}

/** A policy document's statements, for a policy attached to one resource: a statement without Resource is about that resource. */
const attachedStatements = (doc: any, resourceArn: string): any[] =>
  asList<any>((typeof doc === 'string' ? JSON.parse(doc) : doc)?.Statement).map((s) =>
    (s.Resource === undefined && s.NotResource === undefined ? { ...s, Resource: resourceArn } : s));

/** The resource policies that govern a canonical resource ARN in the template. */
export function resourcePoliciesFor(m: TemplateModel, resourceArn: string): ResourcePolicy[] {
  const out: ResourcePolicy[] = [];
  for (const id of m.idsOfType('AWS::KMS::Key')) {
    if (m.arnOf(id) === resourceArn) {
      out.push({ kind: 'kms', statements: asList(m.resource(id).Properties?.KeyPolicy?.Statement), m });
    }
  }
  for (const id of m.idsOfType('AWS::S3::BucketPolicy')) {
    const p = m.resource(id).Properties;
    const bucketArn = `arn:${m.partition}:s3:::${m.canon(p.Bucket)}`;
    if (resourceArn === bucketArn || resourceArn.startsWith(`${bucketArn}/`)) {
      out.push({ kind: 'other', statements: asList(p.PolicyDocument?.Statement), m });
    }
  }
  for (const id of m.idsOfType('AWS::SNS::TopicPolicy')) {
    const p = m.resource(id).Properties;
    if (asList<any>(p.Topics).some((t) => m.canon(t) === resourceArn)) {
      out.push({ kind: 'other', statements: asList(p.PolicyDocument?.Statement), m });
    }
  }
  for (const id of m.idsOfType('AWS::ECR::Repository')) {
    const text = m.resource(id).Properties?.RepositoryPolicyText;
    if (text && m.arnOf(id) === resourceArn) {
      // A repository policy names no Resource: its statements are about the repository.
      out.push({ kind: 'other', statements: attachedStatements(text, resourceArn), m });
    }
  }
  for (const id of m.idsOfType('AWS::IAM::Role')) {
    // A role's trust policy is the resource policy of sts:AssumeRole on the role.
    const trust = m.resource(id).Properties?.AssumeRolePolicyDocument;
    if (trust && m.arnOf(id) === resourceArn) {
      out.push({ kind: 'other', statements: attachedStatements(trust, resourceArn), m });
    }
  }
  return out;
}

/**
 * The templates of one app (each with its own `scope`), judged together: a role of one template
 * may use a resource of another, in another account or region, whose resource policy is there.
 * A resource's template is found by its canonical ARN: a resource another template names across
 * an account or region boundary carries its physical name (a literal), and a resource named by a
 * token is its own template's (tokens are scoped).
 */
export class AppModel {
  constructor(public readonly models: readonly TemplateModel[]) {
    const scopes = models.map((m) => m.scope);
    if (models.length > 1 && (scopes.some((s) => s === undefined) || new Set(scopes).size !== scopes.length)) {
      throw new Error(`the templates of an AppModel need distinct scopes (got ${JSON.stringify(scopes)})`);
    }
  }

  /** This app with `m` in place of the template of the same scope (a modified copy), or added. */
  public with(m: TemplateModel): AppModel {
    return new AppModel([...this.models.filter((x) => x.scope !== m.scope), m]);
  }

  /** The role whose canonical ARN is `arn`, with its template; undefined when no template has it. */
  public roleByArn(arn: string): { m: TemplateModel; roleId: string } | undefined {
    const found = this.models.flatMap((m) => m.idsOfType('AWS::IAM::Role').filter((id) => m.arnOf(id) === arn).map((roleId) => ({ m, roleId })));
    if (found.length > 1) {
      throw new Error(`role ${arn} is defined by more than one template: ${found.map((f) => `${f.m.scope}/${f.roleId}`).join(', ')}`);
    }
    return found[0];
  }

  /**
   * The KMS key a KMS alias ARN stands for (the key's canonical ARN in its template), else the
   * resource unchanged. KMS authorizes a cryptographic request made through an alias on the key.
   */
  public resolveKey(resource: string): string {
    const alias = /^arn:[^:]+:kms:([^:]*):([^:]*):(alias\/.+)$/.exec(resource);
    if (!alias) {
      return resource;
    }
    for (const m of this.models.filter((x) => x.region === alias[1] && x.account === alias[2])) {
      for (const id of m.idsOfType('AWS::KMS::Alias')) {
        const p = m.resource(id).Properties ?? {};
        if (m.canon(p.AliasName) === alias[3]) {
          const keyId = m.logicalIdOf(p.TargetKeyId);
          return keyId ? m.arnOf(keyId) : m.canon(p.TargetKeyId);
        }
      }
    }
    return resource;
  }

  /**
   * The account that owns a canonical resource ARN: the ARN's account, an S3 bucket's template's
   * account, else `fallback` (a resource with no account the model can tell, or `*`).
   */
  public accountOf(resource: string, fallback: string): string {
    const parts = /^arn:[^:]*:([^:]*):([^:]*):([^:]*):/.exec(resource);
    if (!parts) {
      return fallback;
    }
    if (parts[1] === 's3' && parts[3] === '') {
      const bucket = resource.slice(parts[0].length).split('/')[0];
      const owner = this.models.find((m) => m.idsOfType('AWS::S3::Bucket').some((id) => m.nameOf(id) === bucket));
      return owner?.account ?? fallback;
    }
    return /^\d{12}$/.test(parts[3]) ? parts[3] : fallback;
  }

  /** The resource policies of every template that govern a canonical resource ARN. */
  public resourcePoliciesFor(resource: string): ResourcePolicy[] {
    return this.models.flatMap((m) => resourcePoliciesFor(m, resource));
  }
}

/** The request context AWS gives a role's requests (over TLS, as the role), with the request's own keys. */
function roleContext(m: TemplateModel, roleId: string, request: AuthRequest): AuthRequest {
  const context = {
    'aws:SecureTransport': 'true',
    'aws:PrincipalAccount': m.account,
    'aws:PrincipalArn': m.arnOf(roleId),
    ...request.context,
  };
  return { ...request, context };
}

/**
 * Whether a role of template `m` may make a request, as AWS decides it: the role's identity
 * policies, and the resource policies of the resource in whichever template of `app` defines it
 * (a KMS alias stands for its key), with the cross-account rule when the resource is in another
 * account than the role (authorize). `app` defaults to the role's template alone.
 */
export function roleMay(m: TemplateModel, roleId: string, request: AuthRequest, app: AppModel = new AppModel([m])): Decision {
  const who: Principal = { arn: m.arnOf(roleId), account: m.account };
  const resource = app.resolveKey(request.resource);
  const r = roleContext(m, roleId, { ...request, resource });
  return authorize(m, roleStatements(m, roleId), app.resourcePoliciesFor(resource), who, r, app.accountOf(resource, m.account));
}

/** What a role's identity policies alone decide (no resource policy), with the role's request context. */
export function identityMay(m: TemplateModel, roleId: string, request: AuthRequest): Decision {
  return evaluate(m, roleStatements(m, roleId), roleContext(m, roleId, request));
}

/**
 * Whether the trust policy of role `roleId` (template `m`) lets `who` assume it: an Allow
 * statement for sts:AssumeRole whose Principal names `who` (its ARN, or its account, which then
 * delegates to that account's IAM policies) and whose conditions hold for the request AWS sees
 * (aws:PrincipalArn, aws:PrincipalAccount of `who`), and no Deny that applies.
 */
export function trustAllows(m: TemplateModel, roleId: string, who: Principal): Decision {
  const roleArn = m.arnOf(roleId);
  const statements = attachedStatements(m.resource(roleId).Properties?.AssumeRolePolicyDocument ?? {}, roleArn);
  const request: AuthRequest = {
    action: 'sts:AssumeRole',
    resource: roleArn,
    context: { 'aws:SecureTransport': 'true', 'aws:PrincipalArn': who.arn, 'aws:PrincipalAccount': who.account },
  };
  let allow: any;
  for (const s of statements) {
    if (principalMatch(m, s.Principal, who) === 'none' || !statementApplies(m, s, request)) {
      continue;
    }
    if (s.Effect === 'Deny') {
      return { decision: 'explicit-deny', statement: s };
    }
    allow ??= s;
  }
  return allow ? { decision: 'allow', statement: allow } : { decision: 'implicit-deny' };
}
