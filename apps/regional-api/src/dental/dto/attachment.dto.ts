import { IsIn, IsOptional, IsString, IsUUID, Length } from 'class-validator';
import { PageQuery } from '../../common/page';

export const ATTACHMENT_KINDS = ['xray', 'photo', 'document'] as const;
export type AttachmentKind = (typeof ATTACHMENT_KINDS)[number];

/** What an upload may carry; the first bytes must match (see @medgenie/blob UploadGuard). */
export const ATTACHMENT_CONTENT_TYPES = ['image/jpeg', 'image/png', 'image/webp', 'application/dicom', 'application/pdf'] as const;

export const ATTACHMENT_EXTENSIONS: Record<string, string> = {
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/webp': 'webp',
  'application/dicom': 'dcm',
  'application/pdf': 'pdf',
};

/** The upload's query string; the body is the file itself. */
export class UploadAttachmentQuery {
  @IsUUID() patientId: string;
  @IsUUID() clinicId: string;
  @IsIn(ATTACHMENT_KINDS) kind: AttachmentKind;
  /** The original file name, kept (sanitized) for the download's Content-Disposition. */
  @IsOptional() @IsString() @Length(1, 255) fileName?: string;
}

export class ListAttachmentsQuery extends PageQuery {
  @IsUUID() patientId: string;
  @IsOptional() @IsIn(ATTACHMENT_KINDS) kind?: AttachmentKind;
  @IsOptional() @IsUUID() clinicId?: string;
}
