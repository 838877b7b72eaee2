import { DynamicModule, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { PassportModule } from '@nestjs/passport';
import { AUTH_OPTIONS, AuthOptions } from './auth.options';
import { GlobalAuthGuard } from './auth.guard';
import { JwtStrategy } from './jwt.strategy';

@Module({})
export class AuthModule {
  static forRootAsync(factory: { inject: never[] | unknown[]; useFactory: (...args: never[]) => AuthOptions }): DynamicModule {
    return {
      module: AuthModule,
      global: true,
      imports: [PassportModule],
      providers: [
        { provide: AUTH_OPTIONS, inject: factory.inject as never[], useFactory: factory.useFactory },
        JwtStrategy,
        { provide: APP_GUARD, useClass: GlobalAuthGuard },
      ],
      exports: [AUTH_OPTIONS],
    };
  }
}
