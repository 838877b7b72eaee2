import { IsBoolean, IsIn, IsOptional, IsString, Length } from 'class-validator';
import { NotNull, ToBoolean, Trim } from '../../common/dto';
import { MEDICINE_FORMS, MEDICINE_SCOPES, MedicineForm, MedicineScope } from '../medicines.types';
import { PageQuery } from '../../common/page';

export class CreateMedicineDto {
  @Trim() @IsString() @Length(1, 200) name: string;

  @IsOptional() @Trim() @IsString() @Length(1, 200) genericName?: string | null;

  @IsIn(MEDICINE_FORMS) form: MedicineForm;

  /** "500 mg", "0.2%", "100 mcg/dose". */
  @IsOptional() @Trim() @IsString() @Length(1, 60) strength?: string | null;

  @IsOptional() @Trim() @IsString() @Length(1, 200) manufacturer?: string | null;
}

export class UpdateMedicineDto {
  @NotNull() @Trim() @IsString() @Length(1, 200) name?: string;

  @IsOptional() @Trim() @IsString() @Length(1, 200) genericName?: string | null;

  @NotNull() @IsIn(MEDICINE_FORMS) form?: MedicineForm;

  @IsOptional() @Trim() @IsString() @Length(1, 60) strength?: string | null;

  @IsOptional() @Trim() @IsString() @Length(1, 200) manufacturer?: string | null;

  /** Deactivate rather than delete a medicine that prescriptions or short keys name. */
  @NotNull() @IsBoolean() isActive?: boolean;
}

export class ListMedicinesQuery extends PageQuery {
  /** The start of the name or of the generic name, case-insensitive. */
  @IsOptional() @Trim() @IsString() @Length(1, 100) search?: string;

  @IsOptional() @IsIn(MEDICINE_SCOPES) scope?: MedicineScope;

  @IsOptional() @IsIn(MEDICINE_FORMS) form?: MedicineForm;

  @IsOptional() @ToBoolean() @IsBoolean() active?: boolean;
}
