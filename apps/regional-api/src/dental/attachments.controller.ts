import { Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { Roles } from '../common/roles.decorator';
import { OwnTransactions } from '../database/request-transaction.interceptor';
import { ReplayedAnswer } from '../idempotency/idempotency-key';
import { AttachmentsService, AttachmentView, DownloadUrl } from './attachments.service';
import { CLINICIANS } from './dental.constants';
import { ATTACHMENT_CONTENT_TYPES, ListAttachmentsQuery, UploadAttachmentQuery } from './dto/attachment.dto';
import { Page } from '../common/page';

@ApiTags('dental')
@ApiBearerAuth()
@Controller('v1/dental/attachments')
export class AttachmentsController {
  constructor(private readonly attachments: AttachmentsService) {}

  /**
   * The file is the raw body (not multipart); any member with access to the clinic may upload.
   * No transaction is open while the file streams in (see AttachmentsService.upload). With an
   * Idempotency-Key a retry answers the first upload's answer (201), replayed by the interceptor.
   */
  @Post()
  @HttpCode(201)
  @OwnTransactions()
  @ApiConsumes(...ATTACHMENT_CONTENT_TYPES)
  @ApiBody({ schema: { type: 'string', format: 'binary' } })
  upload(@Query() query: UploadAttachmentQuery, @Req() request: FastifyRequest): Promise<AttachmentView | ReplayedAnswer> {
    return this.attachments.upload(query, request);
  }

  @Get()
  list(@Query() query: ListAttachmentsQuery): Promise<Page<AttachmentView>> {
    return this.attachments.list(query);
  }

  @Get(':id')
  get(@Param('id', ParseUUIDPipe) id: string): Promise<AttachmentView> {
    return this.attachments.get(id);
  }

  @Get(':id/download-url')
  downloadUrl(@Param('id', ParseUUIDPipe) id: string): Promise<DownloadUrl> {
    return this.attachments.downloadUrl(id);
  }

  @Delete(':id')
  @HttpCode(204)
  @Roles(...CLINICIANS)
  remove(@Param('id', ParseUUIDPipe) id: string): Promise<void> {
    return this.attachments.remove(id);
  }
}
