import { Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post, Query, Req, Res, StreamableFile } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
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

  /**
   * The file's bytes, to be saved, never rendered or sniffed: the Content-Type detected at upload,
   * X-Content-Type-Options: nosniff, and Content-Disposition: attachment with the extension of
   * that type. No transaction is held while the bytes flow.
   */
  @Get(':id/download')
  @OwnTransactions()
  @ApiProduces(...ATTACHMENT_CONTENT_TYPES)
  async download(@Param('id', ParseUUIDPipe) id: string, @Res({ passthrough: true }) reply: FastifyReply): Promise<StreamableFile> {
    const file = await this.attachments.download(id);
    reply.header('x-content-type-options', 'nosniff');
    reply.header('cache-control', 'private, no-store');
    return new StreamableFile(file.body, { type: file.contentType, disposition: file.contentDisposition, length: file.sizeBytes });
  }

  @Delete(':id')
  @HttpCode(204)
  @Roles(...CLINICIANS)
  remove(@Param('id', ParseUUIDPipe) id: string): Promise<void> {
    return this.attachments.remove(id);
  }
}
