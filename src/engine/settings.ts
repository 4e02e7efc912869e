/** The engine's settings: defaults and the `configure` schema, both from the one schema in src/shared. */
import { z } from 'zod';
import { settingsPatchSchema as patchFields } from '../shared/settings';

export { DEFAULT_SETTINGS } from '../shared/settings';

/** `configure` params: the shared schema's fields, as a full zod object for the RPC layer's `parseParams`. */
export const settingsPatchSchema = z.object(patchFields.shape).strict();
