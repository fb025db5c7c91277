import { Duration, Stack } from 'aws-cdk-lib';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { Construct } from 'constructs';
import { AppSpecOptions } from '../../src';

/** The VPC of the stack (one per stack). */
export function vpcOf(scope: Construct): ec2.IVpc {
  const stack = Stack.of(scope);
  return (stack.node.tryFindChild('Vpc') as ec2.Vpc) ?? new ec2.Vpc(stack, 'Vpc', {
    availabilityZones: [`${stack.region}a`, `${stack.region}b`],
    natGateways: 0,
    subnetConfiguration: [{ name: 'public', subnetType: ec2.SubnetType.PUBLIC }],
  });
}

/** An Auto Scaling group of web servers, as the user owns it. */
export function webServers(scope: Construct, id: string): autoscaling.AutoScalingGroup {
  return new autoscaling.AutoScalingGroup(scope, id, {
    vpc: vpcOf(scope),
    vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC },
    instanceType: ec2.InstanceType.of(ec2.InstanceClass.T3, ec2.InstanceSize.MICRO),
    machineImage: ec2.MachineImage.latestAmazonLinux2023(),
    minCapacity: 2,
    maxCapacity: 4,
  });
}

/** An ALB target group the group's instances are registered in. */
export function webTargetGroup(scope: Construct, id: string, group: autoscaling.AutoScalingGroup): elbv2.ApplicationTargetGroup {
  const targetGroup = new elbv2.ApplicationTargetGroup(scope, id, {
    vpc: vpcOf(scope),
    port: 80,
    protocol: elbv2.ApplicationProtocol.HTTP,
    targets: [group],
    healthCheck: { path: '/health', interval: Duration.seconds(10) },
  });
  const alb = new elbv2.ApplicationLoadBalancer(scope, `${id}Alb`, { vpc: vpcOf(scope), internetFacing: true });
  alb.addListener(`${id}Http`, { port: 80, defaultTargetGroups: [targetGroup] });
  return targetGroup;
}

/** A generated appspec: the whole bundle to /opt/app, start and validate scripts. */
export const APP_SPEC: AppSpecOptions = {
  files: [{ source: '/', destination: '/opt/app' }],
  hooks: {
    applicationStop: [{ location: 'scripts/stop.sh', timeout: Duration.minutes(2) }],
    applicationStart: [{ location: 'scripts/start.sh', timeout: Duration.minutes(5), runAs: 'app' }],
    validateService: [{ location: 'scripts/validate.sh', timeout: Duration.minutes(5) }],
  },
};
