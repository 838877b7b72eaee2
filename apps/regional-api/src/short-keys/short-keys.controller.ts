import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Roles } from '../common/roles.decorator';
import { CreateShortKeyDto, ListShortKeysQuery, UpdateShortKeyDto } from './dto/short-key.dto';
import { ShortKeysService, ShortKeyView } from './short-keys.service';
import { Page } from '../common/page';

@ApiTags('short-keys')
@ApiBearerAuth()
@Controller('v1/short-keys')
export class ShortKeysController {
  constructor(private readonly shortKeys: ShortKeysService) {}

  @Post()
  @Roles('org_admin', 'doctor')
  create(@Body() dto: CreateShortKeyDto): Promise<ShortKeyView> {
    return this.shortKeys.create(dto);
  }

  /** Any member; `code` is a case-insensitive prefix. */
  @Get()
  list(@Query() query: ListShortKeysQuery): Promise<Page<ShortKeyView>> {
    return this.shortKeys.list(query);
  }

  @Get(':id')
  get(@Param('id', ParseUUIDPipe) id: string): Promise<ShortKeyView> {
    return this.shortKeys.get(id);
  }

  @Patch(':id')
  @Roles('org_admin', 'doctor')
  update(@Param('id', ParseUUIDPipe) id: string, @Body() dto: UpdateShortKeyDto): Promise<ShortKeyView> {
    return this.shortKeys.update(id, dto);
  }

  @Delete(':id')
  @Roles('org_admin', 'doctor')
  @HttpCode(204)
  remove(@Param('id', ParseUUIDPipe) id: string): Promise<void> {
    return this.shortKeys.remove(id);
  }
}
