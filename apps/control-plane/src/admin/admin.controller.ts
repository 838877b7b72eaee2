import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Principal, RequireRole } from '../common/principal';
import { AdminService } from './admin.service';
import { AuditQuery, ChangePlanDto, DomainParams, ListOrganizationsQuery, SetDomainsDto, SuspendOrganizationDto, VerifyDomainDto } from './dto/admin.dto';

@ApiTags('platform admin')
@ApiBearerAuth()
@RequireRole('platform_admin')
@Controller('v1/admin')
export class AdminController {
  constructor(private readonly admin: AdminService) {}

  @Get('organizations')
  list(@Query() query: ListOrganizationsQuery) {
    return this.admin.list(query);
  }

  @Get('organizations/:id')
  get(@Param('id', ParseUUIDPipe) id: string) {
    return this.admin.get(id);
  }

  /**
   * The org's tokens are refused in its region as soon as the region has the change. Idempotent:
   * an org already suspended is answered as it is (`changed: false`), with no new audit event.
   */
  @Post('organizations/:id/suspend')
  @HttpCode(200)
  suspend(@CurrentPrincipal() caller: Principal, @Param('id', ParseUUIDPipe) id: string, @Body() dto: SuspendOrganizationDto) {
    return this.admin.setStatus(caller, id, 'suspended', dto.reason ?? null);
  }

  /** Idempotent, as suspend is: an active org is answered as it is. */
  @Post('organizations/:id/reactivate')
  @HttpCode(200)
  reactivate(@CurrentPrincipal() caller: Principal, @Param('id', ParseUUIDPipe) id: string) {
    return this.admin.setStatus(caller, id, 'active');
  }

  /**
   * A plan below the org's usage (as its region counts it) is refused, 409 PLAN_BELOW_USAGE naming
   * what exceeds, unless forced; a forced change answers the overage.
   */
  @Patch('organizations/:id/plan')
  changePlan(@CurrentPrincipal() caller: Principal, @Param('id', ParseUUIDPipe) id: string, @Body() dto: ChangePlanDto) {
    return this.admin.changePlan(caller, id, dto.plan, dto.force === true);
  }

  /** Each custom domain, whether it is verified (only then does it serve) and the TXT record that verifies it. */
  @Get('organizations/:id/domains')
  domains(@Param('id', ParseUUIDPipe) id: string) {
    return this.admin.domains(id);
  }

  /**
   * Replaces the custom domains: 400 DOMAIN_RESERVED for a platform host name, 409 DOMAIN_TAKEN for
   * another org's. Domains that stay keep their verification; new ones wait for theirs.
   */
  @Patch('organizations/:id/domains')
  setDomains(@CurrentPrincipal() caller: Principal, @Param('id', ParseUUIDPipe) id: string, @Body() dto: SetDomainsDto) {
    return this.admin.setDomains(caller, id, dto.domains);
  }

  /**
   * Checks the domain's TXT record `_medgenie-verify.<domain>` (409 DOMAIN_NOT_VERIFIED, naming the
   * record, when it is not there); `force` marks it verified without looking. Idempotent.
   */
  @Post('organizations/:id/domains/:domain/verify')
  @HttpCode(200)
  verifyDomain(@CurrentPrincipal() caller: Principal, @Param() params: DomainParams, @Body() dto: VerifyDomainDto) {
    return this.admin.verifyDomain(caller, params.id, params.domain, dto.force === true);
  }

  /** A new key signs from now on; the previous one stays published until its tokens expire. */
  @Post('keys/rotate')
  @HttpCode(200)
  rotate(@CurrentPrincipal() caller: Principal) {
    return this.admin.rotateKeys(caller);
  }

  @Get('audit')
  audit(@Query() query: AuditQuery) {
    return this.admin.auditTrail({ limit: query.limit ?? 100, action: query.action, targetId: query.targetId });
  }
}
