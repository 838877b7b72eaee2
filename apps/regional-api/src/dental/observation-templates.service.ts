import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { onViolation } from '@medgenie/database';
import { RequestContext } from '@medgenie/tenancy';
import { AuditService } from '../audit/audit.service';
import { ErrorCode, fail } from '../common/errors';
import { CreateObservationTemplateDto, UpdateObservationTemplateDto } from './dto/observation-template.dto';
import { ObservationTemplateRow, ObservationTemplatesRepository, TEMPLATE_NAME_UNIQUE } from './observation-templates.repository';

export type ObservationTemplateView = Omit<ObservationTemplateRow, 'createdBy'>;

function view(t: ObservationTemplateRow): ObservationTemplateView {
  const { createdBy: _by, ...rest } = t;
  return rest;
}

const nameTaken = { [TEMPLATE_NAME_UNIQUE]: () => fail(ErrorCode.DentalTemplateExists, 'A template with this name already exists') };

const notFound = () => fail(ErrorCode.DentalTemplateNotFound, 'Dental observation template not found');

/** An org's dental observation templates: shared by all its clinics. */
@Injectable()
export class ObservationTemplatesService {
  constructor(
    private readonly templates: ObservationTemplatesRepository,
    private readonly context: RequestContext,
    private readonly audit: AuditService,
  ) {}

  async create(dto: CreateObservationTemplateDto): Promise<ObservationTemplateView> {
    let template: ObservationTemplateRow;
    try {
      template = await this.templates.insert({
        id: randomUUID(),
        name: dto.name,
        surface: dto.surface ?? null,
        condition: dto.condition ?? null,
        severity: dto.severity ?? null,
        notesTemplate: dto.notesTemplate ?? null,
        createdBy: this.context.userId,
      });
    } catch (err) {
      throw onViolation(err, nameTaken);
    }
    this.audit.record({ action: 'dental_template.create', resourceType: 'dental_template', resourceId: template.id });
    return view(template);
  }

  async list(): Promise<ObservationTemplateView[]> {
    const rows = await this.templates.listAll();
    this.audit.record({ action: 'dental_template.list', resourceType: 'dental_template', details: { count: rows.length } });
    return rows.map(view);
  }

  async get(id: string): Promise<ObservationTemplateView> {
    const template = await this.find(id);
    this.audit.record({ action: 'dental_template.read', resourceType: 'dental_template', resourceId: id });
    return view(template);
  }

  /** For observations: the template's defaults (404 when it is not this org's). */
  async defaults(id: string): Promise<ObservationTemplateRow> {
    return this.find(id);
  }

  async update(id: string, dto: UpdateObservationTemplateDto): Promise<ObservationTemplateView> {
    await this.find(id);
    let template: ObservationTemplateRow | null;
    try {
      template = await this.templates.update(id, dto);
    } catch (err) {
      throw onViolation(err, nameTaken);
    }
    if (!template) throw notFound();
    this.audit.record({ action: 'dental_template.update', resourceType: 'dental_template', resourceId: id, details: { fields: Object.keys(dto) } });
    return view(template);
  }

  /** Observations made from the template keep their values; their template_id is cleared. */
  async remove(id: string): Promise<void> {
    if (!(await this.templates.deleteById(id))) throw notFound();
    this.audit.record({ action: 'dental_template.delete', resourceType: 'dental_template', resourceId: id });
  }

  private async find(id: string): Promise<ObservationTemplateRow> {
    const template = await this.templates.findById(id);
    if (!template) throw notFound();
    return template;
  }
}
