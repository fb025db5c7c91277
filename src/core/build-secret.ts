import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { validateShape } from './validation';

/**
 * A secret given to the build as an environment variable, resolved by CodeBuild at build time
 * so the value never appears in the template or the console. Use the static factories.
 */
export abstract class BuildSecret {
  /**
   * A Secrets Manager secret (optionally one JSON field of it).
   */
  public static fromSecretsManager(secret: secretsmanager.ISecret, jsonField?: string): BuildSecret {
    return new SecretsManagerBuildSecret(secret, jsonField);
  }

  /**
   * An SSM Parameter Store parameter (String or SecureString).
   */
  public static fromSsmParameter(parameter: ssm.IParameter): BuildSecret {
    return new SsmBuildSecret(parameter);
  }

  private bound?: BuildSecretBinding;

  /**
   * Validate (throwing the library's error under `prop`) and return what the build project
   * needs. Done once: the pipeline binds every secret when it validates the build options, the
   * project gets the kept result. @internal
   */
  public _bind(scope: Construct, prop: string): BuildSecretBinding {
    if (!this.bound) {
      this.bound = this._bindOnce(scope, prop);
    }
    return this.bound;
  }

  /** @internal */
  protected abstract _bindOnce(scope: Construct, prop: string): BuildSecretBinding;
}

/** What a bound `BuildSecret` gives the build project. @internal */
export interface BuildSecretBinding {
  /** The environment variable (type and reference; CodeBuild resolves the value at build time). */
  readonly variable: codebuild.BuildEnvironmentVariable;
  /** Let the build role read exactly this secret. */
  grantRead(grantee: iam.IGrantable): void;
}

class SecretsManagerBuildSecret extends BuildSecret {
  constructor(private readonly secret: secretsmanager.ISecret, private readonly jsonField?: string) {
    super();
  }
  protected _bindOnce(scope: Construct, prop: string): BuildSecretBinding {
    validateShape(scope, prop, this.secret ?? null, ['secretArn', 'grantRead'], 'a Secrets Manager secret (BuildSecret.fromSecretsManager(secret))',
      'pass the secret construct, e.g. BuildSecret.fromSecretsManager(secretsmanager.Secret.fromSecretNameV2(this, "Db", "db"))');
    return {
      variable: {
        type: codebuild.BuildEnvironmentVariableType.SECRETS_MANAGER,
        value: this.jsonField ? `${this.secret.secretArn}:${this.jsonField}` : this.secret.secretArn,
      },
      grantRead: (grantee) => this.secret.grantRead(grantee),
    };
  }
}

class SsmBuildSecret extends BuildSecret {
  constructor(private readonly parameter: ssm.IParameter) {
    super();
  }
  protected _bindOnce(scope: Construct, prop: string): BuildSecretBinding {
    validateShape(scope, prop, this.parameter ?? null, ['parameterName', 'grantRead'], 'an SSM parameter (BuildSecret.fromSsmParameter(parameter))',
      'pass the parameter construct, e.g. BuildSecret.fromSsmParameter(ssm.StringParameter.fromSecureStringParameterAttributes(this, "Token", { parameterName }))');
    return {
      variable: { type: codebuild.BuildEnvironmentVariableType.PARAMETER_STORE, value: this.parameter.parameterName },
      grantRead: (grantee) => this.parameter.grantRead(grantee),
    };
  }
}
