import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { onViolation } from '@medgenie/database';
import { RequestContext } from '@medgenie/tenancy';
import { AuditService } from '../audit/audit.service';
import { ErrorCode, fail } from '../common/errors';
import { Page, pageOf, pageWindow } from '../common/page';
import { medicineLine } from '../prescriptions/medicine-line';
import { PRESCRIPTION_ITEMS_SHORT_KEY_FK } from '../prescriptions/prescriptions.repository';
import { CreateShortKeyDto, ListShortKeysQuery, SHORT_KEY_CODE, ShortKeyItemDto, UpdateShortKeyDto } from './dto/short-key.dto';
import {
  NewShortKey,
  SHORT_KEY_CODE_UNIQUE,
  SHORT_KEY_ITEMS_KEY_FK,
  SHORT_KEY_ITEMS_MEDICINE_FK,
  SHORT_KEY_ITEMS_MEDICINE_IN_SCOPE,
  ShortKeyItemRow,
  ShortKeyPatch,
  ShortKeyRow,
  ShortKeysRepository,
} from './short-keys.repository';

/** One medicine line of a short key, with the medicine as it reads now. */
export type ShortKeyItemView = Omit<ShortKeyItemRow, 'shortKeyId'>;

export interface ShortKeyView extends Pick<ShortKeyRow, 'id' | 'code' | 'name' | 'description' | 'isActive' | 'createdAt' | 'updatedAt'> {
  items: ShortKeyItemView[];
}

/** What applying a short key to a prescription gives: the key and its lines whose medicine is active. */
export interface ExpandedShortKey {
  shortKeyId: string;
  code: string;
  items: ShortKeyItemView[];
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function view(key: ShortKeyRow, items: ShortKeyItemView[]): ShortKeyView {
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

function itemView({ shortKeyId: _key, ...item }: ShortKeyItemRow): ShortKeyItemView {
  return item;
}

@Injectable()
export class ShortKeysService {
  constructor(
    private readonly shortKeys: ShortKeysRepository,
    private readonly context: RequestContext,
    private readonly audit: AuditService,
  ) {}

  async create(dto: CreateShortKeyDto): Promise<ShortKeyView> {
    const key: NewShortKey = {
      id: randomUUID(),
      code: dto.code,
      name: dto.name,
      description: dto.description ?? null,
      isActive: dto.isActive ?? true,
      createdBy: this.context.userId,
    };
    await this.assertMedicines(dto.items);
    try {
      await this.shortKeys.insert(key);
    } catch (err) {
      throw onViolation(err, { [SHORT_KEY_CODE_UNIQUE]: () => codeTaken(dto.code) });
    }
    await this.insertItems(key.id, dto.items);
    this.audit.record({ action: 'short_key.create', resourceType: 'short_key', resourceId: key.id, details: { items: dto.items.length } });
    return this.load(key.id);
  }

  async list(query: ListShortKeysQuery): Promise<Page<ShortKeyView>> {
    const window = pageWindow(query);
    const code = query.code?.toUpperCase();
    const page = pageOf(
      await this.shortKeys.list({ codePrefix: code || undefined, active: query.active, limit: window.limit + 1, offset: window.offset }),
      window,
    );
    const items = await this.items(page.items.map((k) => k.id));
    this.audit.recordList({ action: code ? 'short_key.search' : 'short_key.list', resourceType: 'short_key' }, page.items);
    return { ...page, items: page.items.map((k) => view(k, items.get(k.id) ?? [])) };
  }

  async get(id: string): Promise<ShortKeyView> {
    const key = await this.load(id);
    this.audit.record({ action: 'short_key.read', resourceType: 'short_key', resourceId: id });
    return key;
  }

  /** Scalars as given; `items`, when given, replace every line, in the request's one transaction. */
  async update(id: string, dto: UpdateShortKeyDto): Promise<ShortKeyView> {
    await this.find(id);
    const patch: ShortKeyPatch = {};
    if (dto.code !== undefined) patch.code = dto.code;
    if (dto.name !== undefined) patch.name = dto.name;
    if (dto.description !== undefined) patch.description = dto.description;
    if (dto.isActive !== undefined) patch.isActive = dto.isActive;
    if (dto.items) await this.assertMedicines(dto.items);
    if (Object.keys(patch).length > 0) {
      try {
        await this.shortKeys.update(id, patch);
      } catch (err) {
        throw onViolation(err, { [SHORT_KEY_CODE_UNIQUE]: () => codeTaken(dto.code ?? '') });
      }
    }
    if (dto.items) {
      await this.shortKeys.deleteItems(id);
      await this.insertItems(id, dto.items);
    }
    this.audit.record({ action: 'short_key.update', resourceType: 'short_key', resourceId: id, details: { fields: Object.keys(dto) } });
    return this.load(id);
  }

  /** A key a prescription was written with stays (the prescription points at it): deactivate it instead. */
  async remove(id: string): Promise<void> {
    await this.find(id);
    try {
      await this.shortKeys.delete(id);
    } catch (err) {
      throw onViolation(err, {
        [PRESCRIPTION_ITEMS_SHORT_KEY_FK]: () =>
          fail(ErrorCode.ShortKeyInUse, 'Prescriptions were written with this short key; deactivate it (isActive: false) instead'),
      });
    }
    this.audit.record({ action: 'short_key.delete', resourceType: 'short_key', resourceId: id });
  }

  /**
   * For prescriptions: the active key with this id or code (any case), and its lines whose
   * medicine is still active, in order. An unknown or inactive key is 404 SHORT_KEY_NOT_FOUND.
   */
  async expand(codeOrId: string): Promise<ExpandedShortKey> {
    const byId = UUID.test(codeOrId);
    if (!byId && !SHORT_KEY_CODE.test(codeOrId)) throw fail(ErrorCode.ShortKeyNotFound, 'Short key not found');
    const key = await this.shortKeys.findActive(byId ? codeOrId : null, byId ? null : codeOrId.toUpperCase());
    if (!key) throw fail(ErrorCode.ShortKeyNotFound, 'Short key not found');
    const items = ((await this.items([key.id])).get(key.id) ?? []).filter((i) => i.medicineActive);
    this.audit.record({ action: 'short_key.expand', resourceType: 'short_key', resourceId: key.id, details: { items: items.length } });
    return { shortKeyId: key.id, code: key.code, items };
  }

  private async load(id: string): Promise<ShortKeyView> {
    const key = await this.find(id);
    return view(key, (await this.items([id])).get(id) ?? []);
  }

  private async find(id: string): Promise<ShortKeyRow> {
    const key = await this.shortKeys.findById(id);
    if (!key) throw fail(ErrorCode.ShortKeyNotFound, 'Short key not found');
    return key;
  }

  private async items(keyIds: string[]): Promise<Map<string, ShortKeyItemView[]>> {
    const byKey = new Map<string, ShortKeyItemView[]>();
    if (keyIds.length === 0) return byKey;
    const rows = await this.shortKeys.itemsOf(keyIds);
    for (const row of rows) byKey.set(row.shortKeyId, [...(byKey.get(row.shortKeyId) ?? []), itemView(row)]);
    return byKey;
  }

  /** Every line names a medicine the org can see (else 404, as another org's id always is) and still uses. */
  private async assertMedicines(items: ShortKeyItemDto[]): Promise<void> {
    const ids = [...new Set(items.map((i) => i.medicineId.toLowerCase()))];
    const found = await this.shortKeys.visibleMedicines(ids);
    const byId = new Map(found.map((m) => [m.id, m]));
    for (const id of ids) {
      const medicine = byId.get(id);
      if (!medicine) throw fail(ErrorCode.MedicineNotFound, `Medicine ${id} not found`);
      if (!medicine.isActive) throw fail(ErrorCode.MedicineInactive, `Medicine ${id} is deactivated`);
    }
  }

  private async insertItems(shortKeyId: string, items: ShortKeyItemDto[]): Promise<void> {
    try {
      await this.shortKeys.insertItems(shortKeyId, items.map(medicineLine));
    } catch (err) {
      // The medicine went away between the check and the insert (or the database's own check refused it).
      const medicineNotFound = () => fail(ErrorCode.MedicineNotFound, 'Medicine not found');
      throw onViolation(err, {
        [SHORT_KEY_ITEMS_MEDICINE_FK]: medicineNotFound,
        [SHORT_KEY_ITEMS_MEDICINE_IN_SCOPE]: medicineNotFound,
        // The key went away meanwhile (deleted by another request).
        [SHORT_KEY_ITEMS_KEY_FK]: () => fail(ErrorCode.ShortKeyNotFound, 'Short key not found'),
      });
    }
  }
}

function codeTaken(code: string): Error {
  return fail(ErrorCode.ShortKeyCodeTaken, `The short key code ${code} is already in use (codes ignore case)`);
}
