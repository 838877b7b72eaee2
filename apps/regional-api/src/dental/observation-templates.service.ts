import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { isUniqueViolation, TransactionHost } from '@medgenie/database';
import { RequestContext } from '@medgenie/tenancy';
import { AuditService } from '../audit/audit.service';
import { ErrorCode, fail } from '../common/errors';
import { DentalObservationTemplate } from './observation-template.entity';
import { CreateObservationTemplateDto, UpdateObservationTemplateDto } from './dto/observation-template.dto';

export type ObservationTemplateView = Omit<DentalObservationTemplate, 'organizationId' | 'createdBy'>;

const NAME_UNIQUE = 'dental_observation_templates_name_unique';

function view(t: DentalObservationTemplate): ObservationTemplateView {
  const { organizationId: _org, createdBy: _by, ...rest } = t;
  return rest;
}

/** An org's dental observation templates: shared by all its clinics. */
@Injectable()
export class ObservationTemplatesService {
  constructor(
    private readonly tx: TransactionHost,
    private readonly context: RequestContext,
    private readonly audit: AuditService,
  ) {}

  private get repo() {
    return this.tx.manager.getRepository(DentalObservationTemplate);
  }

  async create(dto: CreateObservationTemplateDto): Promise<ObservationTemplateView> {
    const template = this.repo.create({
      organizationId: this.context.orgId,
      id: randomUUID(),
      name: dto.name,
      surface: dto.surface ?? null,
      condition: dto.condition ?? null,
      severity: dto.severity ?? null,
      notesTemplate: dto.notesTemplate ?? null,
      createdBy: this.context.userId,
    });
    await this.write(() => this.repo.insert(template));
    await this.audit.record({ action: 'dental_template.create', resourceType: 'dental_template', resourceId: template.id });
    return view(await this.find(template.id));
  }

  async list(): Promise<ObservationTemplateView[]> {
    const rows = await this.repo.find({ where: { organizationId: this.context.orgId }, order: { name: 'ASC', id: 'ASC' } });
    await this.audit.record({ action: 'dental_template.list', resourceType: 'dental_template', details: { count: rows.length } });
    return rows.map(view);
  }

  async get(id: string): Promise<ObservationTemplateView> {
    const template = await this.find(id);
    await this.audit.record({ action: 'dental_template.read', resourceType: 'dental_template', resourceId: id });
    return view(template);
  }

  /** For observations: the template's defaults (404 when it is not this org's). */
  async defaults(id: string): Promise<DentalObservationTemplate> {
    return this.find(id);
  }

  async update(id: string, dto: UpdateObservationTemplateDto): Promise<ObservationTemplateView> {
    await this.find(id);
    if (Object.keys(dto).length) await this.write(() => this.repo.update({ organizationId: this.context.orgId, id }, { ...dto }));
    await this.audit.record({ action: 'dental_template.update', resourceType: 'dental_template', resourceId: id, details: { fields: Object.keys(dto) } });
    return view(await this.find(id));
  }

  /** Observations made from the template keep their values; their template_id is cleared. */
  async remove(id: string): Promise<void> {
    const result = await this.repo.delete({ organizationId: this.context.orgId, id });
    if (!result.affected) throw fail(ErrorCode.DentalTemplateNotFound, 'Dental observation template not found');
    await this.audit.record({ action: 'dental_template.delete', resourceType: 'dental_template', resourceId: id });
  }

  private async find(id: string): Promise<DentalObservationTemplate> {
    const template = await this.repo.findOneBy({ organizationId: this.context.orgId, id });
    if (!template) throw fail(ErrorCode.DentalTemplateNotFound, 'Dental observation template not found');
    return template;
  }

  private async write(work: () => Promise<unknown>): Promise<void> {
    try {
      await work();
    } catch (err) {
      if (isUniqueViolation(err, NAME_UNIQUE)) throw fail(ErrorCode.DentalTemplateExists, 'A template with this name already exists');
      throw err;
    }
  }
}
