import type { CommandSpec } from '../command.js'
import { deadLetterCommands } from './dead-letters.js'
import { deliveryCommands } from './deliveries.js'
import { endpointCommands } from './endpoints.js'
import { maintenanceCommands } from './maintenance.js'
import { tenantCommands } from './tenants.js'

/** Every command, in the order help lists them. */
export const commands: CommandSpec[] = [
  ...endpointCommands,
  ...deliveryCommands,
  ...deadLetterCommands,
  ...tenantCommands,
  ...maintenanceCommands,
]
