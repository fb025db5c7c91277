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

  /** @internal */
  public abstract _bind(grantee: iam.IGrantable): codebuild.BuildEnvironmentVariable;

  /** Throw the library's error when the factory was given nothing to read. @internal */
  public abstract _validate(scope: Construct, prop: string): void;
}

class SecretsManagerBuildSecret extends BuildSecret {
  constructor(private readonly secret: secretsmanager.ISecret, private readonly jsonField?: string) {
    super();
  }
  public _validate(scope: Construct, prop: string): void {
    validateShape(scope, prop, this.secret ?? null, ['secretArn', 'grantRead'], 'a Secrets Manager secret (BuildSecret.fromSecretsManager(secret))',
      'pass the secret construct, e.g. BuildSecret.fromSecretsManager(secretsmanager.Secret.fromSecretNameV2(this, "Db", "db"))');
  }
  public _bind(grantee: iam.IGrantable): codebuild.BuildEnvironmentVariable {
    this.secret.grantRead(grantee);
    return {
      type: codebuild.BuildEnvironmentVariableType.SECRETS_MANAGER,
      value: this.jsonField ? `${this.secret.secretArn}:${this.jsonField}` : this.secret.secretArn,
    };
  }
}

class SsmBuildSecret extends BuildSecret {
  constructor(private readonly parameter: ssm.IParameter) {
    super();
  }
  public _validate(scope: Construct, prop: string): void {
    validateShape(scope, prop, this.parameter ?? null, ['parameterName', 'grantRead'], 'an SSM parameter (BuildSecret.fromSsmParameter(parameter))',
      'pass the parameter construct, e.g. BuildSecret.fromSsmParameter(ssm.StringParameter.fromSecureStringParameterAttributes(this, "Token", { parameterName }))');
  }
  public _bind(grantee: iam.IGrantable): codebuild.BuildEnvironmentVariable {
    this.parameter.grantRead(grantee);
    return { type: codebuild.BuildEnvironmentVariableType.PARAMETER_STORE, value: this.parameter.parameterName };
  }
}
