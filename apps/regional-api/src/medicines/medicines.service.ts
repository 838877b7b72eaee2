import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { onViolation } from '@medgenie/database';
import { RequestContext } from '@medgenie/tenancy';
import { AuditService } from '../audit/audit.service';
import { ErrorCode, fail } from '../common/errors';
import { Page, pageOf, pageWindow } from '../common/page';
import { CreateMedicineDto, ListMedicinesQuery, UpdateMedicineDto } from './dto/medicine.dto';
import { PRESCRIPTION_ITEMS_MEDICINE_FK } from '../prescriptions/prescriptions.repository';
import { SHORT_KEY_ITEMS_MEDICINE_FK } from '../short-keys/short-keys.repository';
import { MEDICINE_IDENTITY_UNIQUE, MedicinePatch, MedicineRow, MedicinesRepository, NewMedicine } from './medicines.repository';
import { MedicineScope } from './medicines.types';

export interface MedicineView extends Omit<MedicineRow, 'organizationId' | 'createdBy'> {
  /** 'global': the catalogue every org sees, read-only through the API; 'organization': this org's own. */
  scope: MedicineScope;
}

export function medicineView(m: MedicineRow): MedicineView {
  return {
    id: m.id,
    scope: m.organizationId === null ? 'global' : 'organization',
    name: m.name,
    genericName: m.genericName,
    form: m.form,
    strength: m.strength,
    manufacturer: m.manufacturer,
    isActive: m.isActive,
    createdAt: m.createdAt,
    updatedAt: m.updatedAt,
  };
}

function duplicate(): Error {
  return fail(ErrorCode.MedicineExists, 'This organization already has a medicine with this name, form and strength');
}

function inUse(): Error {
  return fail(ErrorCode.MedicineInUse, 'Prescriptions or short keys name this medicine; deactivate it (isActive: false) instead');
}

@Injectable()
export class MedicinesService {
  constructor(
    private readonly medicines: MedicinesRepository,
    private readonly context: RequestContext,
    private readonly audit: AuditService,
  ) {}

  async create(dto: CreateMedicineDto): Promise<MedicineView> {
    const medicine: NewMedicine = {
      id: randomUUID(),
      name: dto.name,
      genericName: dto.genericName ?? null,
      form: dto.form,
      strength: dto.strength ?? null,
      manufacturer: dto.manufacturer ?? null,
      isActive: true,
      createdBy: this.context.userId,
    };
    await this.assertNotGlobal(medicine);
    try {
      await this.medicines.insert(medicine);
    } catch (err) {
      throw onViolation(err, { [MEDICINE_IDENTITY_UNIQUE]: duplicate });
    }
    this.audit.record({ action: 'medicine.create', resourceType: 'medicine', resourceId: medicine.id });
    return medicineView(await this.find(medicine.id));
  }

  async list(query: ListMedicinesQuery): Promise<Page<MedicineView>> {
    const window = pageWindow(query);
    const search = query.search?.toLowerCase();
    const rows = await this.medicines.list({
      scope: query.scope ?? 'all',
      search,
      form: query.form,
      active: query.active,
      limit: window.limit + 1,
      offset: window.offset,
    });
    const page = pageOf(rows, window);
    this.audit.recordList({ action: search ? 'medicine.search' : 'medicine.list', resourceType: 'medicine' }, page.items);
    return { ...page, items: page.items.map(medicineView) };
  }

  async get(id: string): Promise<MedicineView> {
    const medicine = await this.find(id);
    this.audit.record({ action: 'medicine.read', resourceType: 'medicine', resourceId: id });
    return medicineView(medicine);
  }

  async update(id: string, dto: UpdateMedicineDto): Promise<MedicineView> {
    const medicine = this.ownOnly(await this.find(id));
    const patch: MedicinePatch = {};
    if (dto.name !== undefined) patch.name = dto.name;
    if (dto.genericName !== undefined) patch.genericName = dto.genericName;
    if (dto.form !== undefined) patch.form = dto.form;
    if (dto.strength !== undefined) patch.strength = dto.strength;
    if (dto.manufacturer !== undefined) patch.manufacturer = dto.manufacturer;
    if (dto.isActive !== undefined) patch.isActive = dto.isActive;
    if (patch.name !== undefined || patch.form !== undefined || patch.strength !== undefined) {
      await this.assertNotGlobal({ ...medicine, ...patch });
    }
    if (Object.keys(patch).length > 0) {
      try {
        await this.medicines.update(id, patch);
      } catch (err) {
        throw onViolation(err, { [MEDICINE_IDENTITY_UNIQUE]: duplicate });
      }
    }
    this.audit.record({ action: 'medicine.update', resourceType: 'medicine', resourceId: id, details: { fields: Object.keys(dto) } });
    return medicineView(await this.find(id));
  }

  /** A medicine a prescription or a short key names stays (history must read as it was): deactivate it instead. */
  async remove(id: string): Promise<void> {
    this.ownOnly(await this.find(id));
    try {
      await this.medicines.delete(id);
    } catch (err) {
      // The lines that name it: a short key's and a prescription's.
      throw onViolation(err, { [SHORT_KEY_ITEMS_MEDICINE_FK]: inUse, [PRESCRIPTION_ITEMS_MEDICINE_FK]: inUse });
    }
    this.audit.record({ action: 'medicine.delete', resourceType: 'medicine', resourceId: id });
  }

  private async find(id: string): Promise<MedicineRow> {
    const medicine = await this.medicines.findVisible(id);
    if (!medicine) throw fail(ErrorCode.MedicineNotFound, 'Medicine not found');
    return medicine;
  }

  /**
   * Global medicines are read-only through the API. The answer is 403, not 404: the row is
   * visible to every org (GET returns it), so a 404 would hide nothing and would only mislead the
   * client; 403 with MEDICINE_IS_GLOBAL tells it what to do instead (add its own medicine).
   * Another org's medicine, which the caller cannot see, is 404 as always.
   */
  private ownOnly(medicine: MedicineRow): MedicineRow {
    if (medicine.organizationId === null) {
      throw fail(ErrorCode.MedicineIsGlobal, 'Global catalogue medicines cannot be changed; add your own medicine instead');
    }
    return medicine;
  }

  /** An org's own copy of a catalogue medicine would only make every search show it twice. */
  private async assertNotGlobal(m: Pick<MedicineRow, 'name' | 'form' | 'strength'>): Promise<void> {
    if (await this.medicines.existsInGlobalCatalogue(m.name, m.form, m.strength)) {
      throw fail(ErrorCode.MedicineExists, 'The global catalogue already has this medicine, form and strength');
    }
  }
}
