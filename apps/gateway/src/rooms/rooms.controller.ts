import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { addModeratorSchema, createRoomSchema, type CreatedRoom, idSchema, parseInput, type RoomInfo } from '#contracts';
import { HttpCaller } from '../auth/http-caller.js';
import type { Caller } from '../auth/jwt-verifier.js';
import { RoomsService } from './rooms.service.js';
import { z } from 'zod';

const roomParams = z.strictObject({ id: idSchema });

@Controller('v1/rooms')
export class RoomsController {
  constructor(private readonly rooms: RoomsService) {}

  @Post()
  create(@HttpCaller() caller: Caller, @Body() body: unknown): Promise<CreatedRoom> {
    return this.rooms.create(caller, parseInput(createRoomSchema, body).title);
  }

  @Get(':id')
  info(@Param() params: unknown): Promise<RoomInfo> {
    return this.rooms.info(parseInput(roomParams, params).id);
  }

  @Post(':id/moderators')
  @HttpCode(204)
  async addModerator(@HttpCaller() caller: Caller, @Param() params: unknown, @Body() body: unknown): Promise<void> {
    await this.rooms.addModerator(caller, parseInput(roomParams, params).id, parseInput(addModeratorSchema, body).userId);
  }

  @Post(':id/end')
  @HttpCode(204)
  async end(@HttpCaller() caller: Caller, @Param() params: unknown): Promise<void> {
    await this.rooms.end(caller, parseInput(roomParams, params).id);
  }
}
