import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { isUniqueViolation, prepared, runPrepared, TransactionHost } from '@medgenie/database';
import { RequestContext } from '@medgenie/tenancy';
import { AuditService } from '../audit/audit.service';
import { ErrorCode, fail } from '../common/errors';
import type { MedicineForm } from '../medicines/medicine.entity';
import { CreateShortKeyDto, ListShortKeysQuery, SHORT_KEY_CODE, ShortKeyItemDto, UpdateShortKeyDto } from './dto/short-key.dto';
import { ShortKey, ShortKeyItem } from './short-key.entity';
import { Page, pageWindow } from '../common/page';

/** One medicine line of a short key, with the medicine as it reads now. */
export interface ShortKeyItemView {
  position: number;
  medicineId: string;
  /** What a prescription item records as `medicine_name`. */
  medicineName: string;
  genericName: string | null;
  form: MedicineForm;
  strength: string | null;
  /** False once the medicine is deactivated: such lines are left out when the key is applied. */
  medicineActive: boolean;
  dosage: string;
  frequency: string;
  duration: string;
  quantity: number | null;
  instructions: string | null;
}

export interface ShortKeyView {
  id: string;
  code: string;
  name: string;
  description: string | null;
  isActive: boolean;
  items: ShortKeyItemView[];
  createdAt: Date;
  updatedAt: Date;
}

/** What applying a short key to a prescription gives: the key and its lines whose medicine is active. */
export interface ExpandedShortKey {
  shortKeyId: string;
  code: string;
  items: ShortKeyItemView[];
}

const CODE_UNIQUE = 'short_keys_code_unique';
const PREFIX_END = String.fromCodePoint(0x10ffff);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const COLUMNS = `organization_id as "organizationId", id, code, name, description, is_active as "isActive",
  created_by as "createdBy", created_at as "createdAt", updated_at as "updatedAt"`;

const FIND_KEY = prepared(`select ${COLUMNS} from short_keys where organization_id = $1 and id = $2`);

/** Codes are matched on code_key (upper case, byte-ordered): prefixes are ranges, usable by the unique index. */
const LIST_KEYS = prepared(`select ${COLUMNS} from short_keys
  where organization_id = $1 and ($4::boolean is null or is_active = $4::boolean)
  order by code_key, id limit $2 offset $3`);
const LIST_KEYS_BY_CODE = prepared(`select ${COLUMNS} from short_keys
  where organization_id = $1 and ($4::boolean is null or is_active = $4::boolean) and code_key >= $5 and code_key < $6
  order by code_key, id limit $2 offset $3`);

/** An active key by id ($2) or by code ($3, upper case). */
const FIND_ACTIVE_KEY = prepared(`select id, code from short_keys
  where organization_id = $1 and is_active
    and (($2::uuid is not null and id = $2::uuid) or ($3::text is not null and code_key = $3::text))`);

const ITEMS = prepared(`select i.short_key_id as "shortKeyId", i.position, i.medicine_id as "medicineId",
    m.name as "medicineName", m.generic_name as "genericName", m.form, m.strength, m.is_active as "medicineActive",
    i.dosage, i.frequency, i.duration, i.quantity, i.instructions
  from short_key_items i
  join medicines m on m.id = i.medicine_id
  where i.organization_id = $1 and i.short_key_id = any($2::uuid[])
  order by i.short_key_id, i.position`);

/** The medicines the caller's org may name: global ones and its own (RLS agrees). */
const VISIBLE_MEDICINES = prepared(`select id, is_active as "isActive" from medicines
  where id = any($2::uuid[]) and (organization_id is null or organization_id = $1)`);

type ItemRow = ShortKeyItemView & { shortKeyId: string };

function isForeignKeyViolation(err: unknown): boolean {
  const e = err as { driverError?: { code?: string }; code?: string } | undefined;
  return (e?.driverError ?? e)?.code === '23503';
}

function view(key: ShortKey, items: ShortKeyItemView[]): ShortKeyView {
  return {
    id: key.id,
    code: key.code,
    name: key.name,
    description: key.description,
    isActive: key.isActive,
    items,
    createdAt: key.createdAt,
    updatedAt: key.updatedAt,
  };
}

function itemView({ shortKeyId: _key, ...item }: ItemRow): ShortKeyItemView {
  return item;
}

@Injectable()
export class ShortKeysService {
  constructor(
    private readonly tx: TransactionHost,
    private readonly context: RequestContext,
    private readonly audit: AuditService,
  ) {}

  private get repo() {
    return this.tx.manager.getRepository(ShortKey);
  }

  async create(dto: CreateShortKeyDto): Promise<ShortKeyView> {
    const key = this.repo.create({
      organizationId: this.context.orgId,
      id: randomUUID(),
      code: dto.code,
      name: dto.name,
      description: dto.description ?? null,
      isActive: dto.isActive ?? true,
      createdBy: this.context.userId,
    });
    await this.assertMedicines(dto.items);
    try {
      await this.repo.insert(key);
    } catch (err) {
      throw this.codeTaken(err, dto.code);
    }
    await this.insertItems(key.id, dto.items);
    await this.audit.record({ action: 'short_key.create', resourceType: 'short_key', resourceId: key.id, details: { items: dto.items.length } });
    return this.load(key.id);
  }

  async list(query: ListShortKeysQuery): Promise<Page<ShortKeyView>> {
    const { limit, offset } = pageWindow(query);
    const page = [this.context.orgId, limit + 1, offset, query.active ?? null];
    const code = query.code?.toUpperCase();
    const rows = code
      ? await runPrepared<ShortKey>(this.tx.manager, LIST_KEYS_BY_CODE, [...page, code, code + PREFIX_END])
      : await runPrepared<ShortKey>(this.tx.manager, LIST_KEYS, page);
    const keys = rows.slice(0, limit);
    const items = await this.items(keys.map((k) => k.id));
    await this.audit.record({
      action: code ? 'short_key.search' : 'short_key.list',
      resourceType: 'short_key',
      details: { count: keys.length, ids: keys.map((k) => k.id) },
    });
    return { items: keys.map((k) => view(k, items.get(k.id) ?? [])), limit, offset, hasMore: rows.length > limit };
  }

  async get(id: string): Promise<ShortKeyView> {
    const key = await this.load(id);
    await this.audit.record({ action: 'short_key.read', resourceType: 'short_key', resourceId: id });
    return key;
  }

  /** Scalars as given; `items`, when given, replace every line, in the request's one transaction. */
  async update(id: string, dto: UpdateShortKeyDto): Promise<ShortKeyView> {
    await this.find(id);
    const patch: Partial<ShortKey> = {};
    if (dto.code !== undefined) patch.code = dto.code;
    if (dto.name !== undefined) patch.name = dto.name;
    if (dto.description !== undefined) patch.description = dto.description;
    if (dto.isActive !== undefined) patch.isActive = dto.isActive;
    if (dto.items) await this.assertMedicines(dto.items);
    if (Object.keys(patch).length > 0) {
      try {
        await this.repo.update({ organizationId: this.context.orgId, id }, patch);
      } catch (err) {
        throw this.codeTaken(err, dto.code ?? '');
      }
    }
    if (dto.items) {
      await this.tx.manager.getRepository(ShortKeyItem).delete({ organizationId: this.context.orgId, shortKeyId: id });
      await this.insertItems(id, dto.items);
    }
    await this.audit.record({ action: 'short_key.update', resourceType: 'short_key', resourceId: id, details: { fields: Object.keys(dto) } });
    return this.load(id);
  }

  /** A key a prescription was written with stays (the prescription points at it): deactivate it instead. */
  async remove(id: string): Promise<void> {
    await this.find(id);
    try {
      await this.repo.delete({ organizationId: this.context.orgId, id });
    } catch (err) {
      if (isForeignKeyViolation(err)) {
        throw fail(ErrorCode.ShortKeyInUse, 'Prescriptions were written with this short key; deactivate it (isActive: false) instead');
      }
      throw err;
    }
    await this.audit.record({ action: 'short_key.delete', resourceType: 'short_key', resourceId: id });
  }

  /**
   * For prescriptions: the active key with this id or code (any case), and its lines whose
   * medicine is still active, in order. An unknown or inactive key is 404 SHORT_KEY_NOT_FOUND.
   */
  async expand(codeOrId: string): Promise<ExpandedShortKey> {
    const byId = UUID.test(codeOrId);
    if (!byId && !SHORT_KEY_CODE.test(codeOrId)) throw fail(ErrorCode.ShortKeyNotFound, 'Short key not found');
    const [key] = await runPrepared<{ id: string; code: string }>(this.tx.manager, FIND_ACTIVE_KEY, [
      this.context.orgId,
      byId ? codeOrId : null,
      byId ? null : codeOrId.toUpperCase(),
    ]);
    if (!key) throw fail(ErrorCode.ShortKeyNotFound, 'Short key not found');
    const items = ((await this.items([key.id])).get(key.id) ?? []).filter((i) => i.medicineActive);
    await this.audit.record({ action: 'short_key.expand', resourceType: 'short_key', resourceId: key.id, details: { items: items.length } });
    return { shortKeyId: key.id, code: key.code, items };
  }

  private async load(id: string): Promise<ShortKeyView> {
    const key = await this.find(id);
    return view(key, (await this.items([id])).get(id) ?? []);
  }

  private async find(id: string): Promise<ShortKey> {
    const [key] = await runPrepared<ShortKey>(this.tx.manager, FIND_KEY, [this.context.orgId, id]);
    if (!key) throw fail(ErrorCode.ShortKeyNotFound, 'Short key not found');
    return key;
  }

  private async items(keyIds: string[]): Promise<Map<string, ShortKeyItemView[]>> {
    const byKey = new Map<string, ShortKeyItemView[]>();
    if (keyIds.length === 0) return byKey;
    const rows = await runPrepared<ItemRow>(this.tx.manager, ITEMS, [this.context.orgId, keyIds]);
    for (const row of rows) byKey.set(row.shortKeyId, [...(byKey.get(row.shortKeyId) ?? []), itemView(row)]);
    return byKey;
  }

  /** Every line names a medicine the org can see (else 404, as another org's id always is) and still uses. */
  private async assertMedicines(items: ShortKeyItemDto[]): Promise<void> {
    const ids = [...new Set(items.map((i) => i.medicineId.toLowerCase()))];
    const found = await runPrepared<{ id: string; isActive: boolean }>(this.tx.manager, VISIBLE_MEDICINES, [this.context.orgId, ids]);
    const byId = new Map(found.map((m) => [m.id, m]));
    for (const id of ids) {
      const medicine = byId.get(id);
      if (!medicine) throw fail(ErrorCode.MedicineNotFound, `Medicine ${id} not found`);
      if (!medicine.isActive) throw fail(ErrorCode.MedicineInactive, `Medicine ${id} is deactivated`);
    }
  }

  private async insertItems(shortKeyId: string, items: ShortKeyItemDto[]): Promise<void> {
    const rows = items.map((item, position) => ({
      organizationId: this.context.orgId,
      id: randomUUID(),
      shortKeyId,
      position,
      medicineId: item.medicineId,
      dosage: item.dosage,
      frequency: item.frequency,
      duration: item.duration,
      quantity: item.quantity ?? null,
      instructions: item.instructions ?? null,
    }));
    try {
      await this.tx.manager.getRepository(ShortKeyItem).insert(rows);
    } catch (err) {
      // The medicine went away between the check and the insert (or the database's own check refused it).
      if (isForeignKeyViolation(err)) throw fail(ErrorCode.MedicineNotFound, 'Medicine not found');
      throw err;
    }
  }

  private codeTaken(err: unknown, code: string): unknown {
    if (isUniqueViolation(err, CODE_UNIQUE)) return fail(ErrorCode.ShortKeyCodeTaken, `The short key code ${code} is already in use (codes ignore case)`);
    return err;
  }
}
