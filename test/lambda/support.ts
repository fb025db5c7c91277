import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';

/**
 * A Lambda function with placeholder code (as the user owns it) and its `live` alias on the
 * function's current version.
 */
export function lambdaAlias(scope: Construct, id: string, aliasName = 'live'): lambda.Alias {
  const fn = new lambda.Function(scope, id, {
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => "placeholder";'),
  });
  return new lambda.Alias(scope, `${id}Live`, { aliasName, version: fn.currentVersion });
}
