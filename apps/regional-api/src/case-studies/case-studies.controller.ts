import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Roles } from '../common/roles.decorator';
import { CLINICIANS } from '../dental/dental.constants';
import { Page } from '../common/page';
import { CaseStudiesService, CaseStudySummary, CaseStudyView } from './case-studies.service';
import { CreateCaseStudyDto, ListCaseStudiesQuery, UpdateCaseStudyDto } from './dto/case-study.dto';

@ApiTags('case-studies')
@ApiBearerAuth()
@Controller('v1/case-studies')
export class CaseStudiesController {
  constructor(private readonly caseStudies: CaseStudiesService) {}

  @Post()
  @Roles(...CLINICIANS)
  create(@Body() dto: CreateCaseStudyDto): Promise<CaseStudyView> {
    return this.caseStudies.create(dto);
  }

  @Get()
  list(@Query() query: ListCaseStudiesQuery): Promise<Page<CaseStudySummary>> {
    return this.caseStudies.list(query);
  }

  @Get(':id')
  get(@Param('id', ParseUUIDPipe) id: string): Promise<CaseStudyView> {
    return this.caseStudies.get(id);
  }

  @Patch(':id')
  @Roles(...CLINICIANS)
  update(@Param('id', ParseUUIDPipe) id: string, @Body() dto: UpdateCaseStudyDto): Promise<CaseStudyView> {
    return this.caseStudies.update(id, dto);
  }

  @Delete(':id')
  @HttpCode(204)
  @Roles(...CLINICIANS)
  remove(@Param('id', ParseUUIDPipe) id: string): Promise<void> {
    return this.caseStudies.remove(id);
  }
}
