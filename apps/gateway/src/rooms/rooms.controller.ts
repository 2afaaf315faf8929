import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { addModeratorSchema, createRoomSchema, type CreatedRoom, idSchema, parseInput, type RoomInfo } from '#contracts';
import { HttpCaller } from '../auth/http-caller.js';
import type { Caller } from '../auth/jwt-verifier.js';
import { ApiAuth, ApiErrors, createdRoomDoc, roomInfoDoc } from '../openapi-docs.js';
import { ROOM_ROLES, type RoomRole, RoomsService } from './rooms.service.js';
import { z } from 'zod';

const roomParams = z.strictObject({ id: idSchema });
const roomRoleDoc = z.object({ roomId: idSchema, role: z.enum(ROOM_ROLES) });

@ApiTags('rooms')
@Controller('v1/rooms')
export class RoomsController {
  constructor(private readonly rooms: RoomsService) {}

  @Post()
  @ApiOperation({ summary: 'Create a room hosted by the caller (any user)' })
  @ApiCreatedResponse({ standardSchema: createdRoomDoc })
  @ApiAuth()
  @ApiErrors(400)
  create(@HttpCaller() caller: Caller, @Body({ schema: createRoomSchema }) body: unknown): Promise<CreatedRoom> {
    return this.rooms.create(caller, parseInput(createRoomSchema, body).title);
  }

  @Get(':id')
  @ApiOperation({ summary: 'A room (RoomSnapshot without `recent`; anyone)' })
  @ApiOkResponse({ standardSchema: roomInfoDoc })
  @ApiErrors(400, 404)
  info(@Param({ schema: roomParams }) params: unknown): Promise<RoomInfo> {
    return this.rooms.info(parseInput(roomParams, params).id);
  }

  @Get(':id/role')
  @ApiOperation({ summary: "The caller's role in the room: host, admin, moderator, viewer or anonymous (for showing moderation controls)" })
  @ApiOkResponse({ standardSchema: roomRoleDoc })
  @ApiErrors(400, 401, 404)
  role(@HttpCaller() caller: Caller, @Param({ schema: roomParams }) params: unknown): Promise<{ roomId: string; role: RoomRole }> {
    return this.rooms.role(caller, parseInput(roomParams, params).id);
  }

  @Post(':id/moderators')
  @HttpCode(204)
  @ApiOperation({ summary: 'Make a user a moderator of the room (host, admin)' })
  @ApiNoContentResponse()
  @ApiAuth()
  @ApiErrors(400, 403, 404)
  async addModerator(
    @HttpCaller() caller: Caller,
    @Param({ schema: roomParams }) params: unknown,
    @Body({ schema: addModeratorSchema }) body: unknown,
  ): Promise<void> {
    await this.rooms.addModerator(caller, parseInput(roomParams, params).id, parseInput(addModeratorSchema, body).userId);
  }

  @Post(':id/end')
  @HttpCode(204)
  @ApiOperation({ summary: 'End the room: room event `room/ended`, every viewer gets `room:kicked` (host, admin)' })
  @ApiNoContentResponse()
  @ApiAuth()
  @ApiErrors(400, 403, 404)
  async end(@HttpCaller() caller: Caller, @Param({ schema: roomParams }) params: unknown): Promise<void> {
    await this.rooms.end(caller, parseInput(roomParams, params).id);
  }
}
