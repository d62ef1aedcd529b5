/**
 * The curriculum our labs cover (../shared/CURRICULUM.md), as ids a lab names in `objectives`.
 * Learning objectives are `lo.*`; assessment criteria are `<area>.<criterion>`. Every id must end
 * up covered by at least one auto-graded lab; `brokerlab labs --coverage` reports which are.
 */
export const OBJECTIVES = {
  'lo.broker-architecture': 'Design message broker architectures for different use cases',
  'lo.delivery-guarantees': 'Implement appropriate delivery guarantees and reliability patterns',
  'lo.partitioning-scaling': 'Apply partitioning and scaling strategies for high throughput',
  'lo.schema-evolution': 'Manage event schemas and evolution safely',
  'lo.ordering-consistency': 'Ensure message ordering and consistency requirements',
  'lo.retention-cleanup': 'Implement proper data retention and cleanup policies',

  'broker.choose': 'Choose appropriate brokers for use case requirements',
  'broker.scalability-config': 'Configure broker architectures for scalability',
  'broker.clustering-ha': 'Implement clustering and high availability',
  'broker.performance': 'Optimize broker performance and resource usage',

  'delivery.semantics': 'Implement appropriate delivery semantics',
  'delivery.durability': 'Configure message durability and persistence',
  'delivery.acknowledgments': 'Apply acknowledgment patterns correctly',
  'delivery.retry-dlq': 'Handle failures with retry and dead letter strategies',

  'scaling.partitioning': 'Design partitioning strategies for load distribution',
  'scaling.consumer-groups': 'Implement consumer groups for parallel processing',
  'scaling.load-balancing': 'Apply load balancing and scaling patterns',
  'scaling.throughput': 'Monitor and optimize system throughput',

  'schema.formats': 'Define event formats with proper schemas',
  'schema.evolution': 'Implement schema evolution strategies',
  'schema.registry': 'Use schema registries for governance',
  'schema.compatibility': 'Ensure compatibility across versions',

  'ordering.guarantees': 'Apply ordering guarantees appropriately',
  'ordering.consistency-models': 'Implement consistency models for requirements',
  'ordering.conflicts': 'Handle conflicts and resolution',
  'ordering.timestamps': 'Manage timestamps and synchronization',

  'lifecycle.retention': 'Configure retention policies for compliance',
  'lifecycle.compaction': 'Implement log compaction and cleanup',
  'lifecycle.tiered-storage': 'Apply tiered storage strategies',
  'lifecycle.archival': 'Manage archival and retrieval processes',
} as const;

export type ObjectiveId = keyof typeof OBJECTIVES;

export function isObjectiveId(id: string): id is ObjectiveId {
  return Object.hasOwn(OBJECTIVES, id);
}
