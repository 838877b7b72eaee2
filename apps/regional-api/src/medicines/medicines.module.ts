import { Module } from '@nestjs/common';
import { MedicinesController } from './medicines.controller';
import { MedicinesRepository } from './medicines.repository';
import { MedicinesService } from './medicines.service';

@Module({ controllers: [MedicinesController], providers: [MedicinesRepository, MedicinesService], exports: [MedicinesService] })
export class MedicinesModule {}
